using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// CornerNet-Squeeze's building block (the authors' <c>fire_module</c>, squeeze ratio 2): a 1x1 squeeze convolution to
/// half the output width with BatchNorm and no ReLU, then the concatenation of a 1x1 convolution and a depthwise 3x3
/// convolution (each half the output width, both with the block's stride), BatchNorm, the identity added only when
/// the stride is 1 and the widths agree, ReLU. State-dict names: conv1, bn1, conv_1x1, conv_3x3, bn2.
/// </summary>
public sealed class FireModule : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    [ComponentName(Name = "conv1")]
    private readonly Conv2dLayer _squeeze;
    [ComponentName(Name = "bn1")]
    private readonly BatchNorm2d _squeezeBn;
    [ComponentName(Name = "conv_1x1")]
    private readonly Conv2dLayer _expand1x1;
    [ComponentName(Name = "conv_3x3")]
    private readonly Conv2dLayer _expand3x3;
    [ComponentName(Name = "bn2")]
    private readonly BatchNorm2d _expandBn;
    private readonly bool _identity;
    private bool _batchNormFolded;

    public FireModule(int inChannels, int outChannels, int stride = 1) : base(nameof(FireModule))
    {
        if (outChannels % 2 != 0) throw new ArgumentException($"A fire module needs an even output width (got {outChannels}).", nameof(outChannels));
        var half = outChannels / 2;
        _squeeze = new Conv2dLayer(inChannels, half, 1, bias: false);
        _squeezeBn = nn.BatchNorm2d(half);
        _expand1x1 = new Conv2dLayer(half, half, 1, stride: stride, bias: false);
        _expand3x3 = new Conv2dLayer(half, half, 3, stride: stride, padding: 1, bias: false, groups: half);
        _expandBn = nn.BatchNorm2d(outChannels);
        _identity = stride == 1 && inChannels == outChannels;
        RegisterComponents();
    }

    public void FoldBatchNorm()
    {
        if (_batchNormFolded) return;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _squeeze.FoldBatchNorm(_squeezeBn);
        // bn2 normalises the concatenation: its first half belongs to the 1x1 branch, its second to the 3x3 branch.
        var (scale, shift) = Conv2dLayer.ScaleAndShift(_expandBn);
        var half = _expand1x1.Weight.shape[0];
        _expand1x1.FoldAffine(scale[..(int)half], shift[..(int)half]);
        _expand3x3.FoldAffine(scale[(int)half..], shift[(int)half..]);
        _batchNormFolded = true;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var squeezed = _squeeze.forward(input);
        if (!_batchNormFolded) squeezed = _squeezeBn.forward(squeezed);
        var expanded = Concatenate(_expand1x1.forward(squeezed), _expand3x3.forward(squeezed));
        if (!_batchNormFolded) expanded = _expandBn.forward(expanded);
        if (_identity) expanded = is_grad_enabled() ? expanded + input : expanded.add_(input);
        return nn.functional.relu(expanded, inplace: true).MoveToOuterDisposeScope();
    }

    /// <summary>The two branches side by side in channels, channels-last when they are: every layer after it would
    /// otherwise run NCHW (depthwise convolutions several hundred times slower).</summary>
    private static Tensor Concatenate(Tensor first, Tensor second)
    {
        var joined = cat([first, second], 1);
        return ChannelsLast.Is(first) && !ChannelsLast.Is(joined) ? ChannelsLast.From(joined) : joined;
    }

    /// <summary>The authors' make_layer: the first maps the width, the rest keep it.</summary>
    public static Sequential Chain(int inChannels, int outChannels, int count, int firstStride = 1)
    {
        var layers = new List<nn.Module<Tensor, Tensor>> { new FireModule(inChannels, outChannels, firstStride) };
        for (var i = 1; i < count; i++) layers.Add(new FireModule(outChannels, outChannels));
        return nn.Sequential(layers);
    }

    /// <summary>The authors' make_layer_revr: all but the last keep the input width, the last maps it.</summary>
    public static Sequential ReverseChain(int inChannels, int outChannels, int count)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        for (var i = 0; i < count - 1; i++) layers.Add(new FireModule(inChannels, inChannels));
        layers.Add(new FireModule(inChannels, outChannels));
        return nn.Sequential(layers);
    }
}
