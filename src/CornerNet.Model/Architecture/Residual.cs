using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// Two 3x3 conv-BN layers with an identity shortcut, or a 1x1 conv-BN projection when the stride or width changes:
/// the authors' <c>residual</c>. State-dict names: conv1, bn1, conv2, bn2, skip.0, skip.1.
/// </summary>
public sealed class Residual : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    [ComponentName(Name = "conv1")]
    private readonly Conv2dLayer _conv1;
    [ComponentName(Name = "bn1")]
    private readonly BatchNorm2d _bn1;
    [ComponentName(Name = "conv2")]
    private readonly Conv2dLayer _conv2;
    [ComponentName(Name = "bn2")]
    private readonly BatchNorm2d _bn2;
    [ComponentName(Name = "skip")]
    private readonly ConvBn? _projection;
    private bool _batchNormFolded;

    public Residual(int inChannels, int outChannels, int stride = 1) : base(nameof(Residual))
    {
        _conv1 = new Conv2dLayer(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        _bn1 = nn.BatchNorm2d(outChannels);
        _conv2 = new Conv2dLayer(outChannels, outChannels, 3, padding: 1, bias: false);
        _bn2 = nn.BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            _projection = new ConvBn(inChannels, outChannels, stride);
        }

        RegisterComponents();
    }

    public void FoldBatchNorm()
    {
        if (_batchNormFolded) return;
        _conv1.FoldBatchNorm(_bn1);
        _conv2.FoldBatchNorm(_bn2);
        _batchNormFolded = true;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        if (_batchNormFolded)
        {
            var y = _conv1.ForwardRelu(input);
            var skip = _projection is null ? input : _projection.forward(input);
            return _conv2.ForwardAddRelu(y, skip).MoveToOuterDisposeScope();
        }

        var x = _conv1.forward(input);
        x = _bn1.forward(x);
        x = nn.functional.relu(x, inplace: true);
        x = _conv2.forward(x);
        x = _bn2.forward(x);
        var shortcut = _projection is null ? input : _projection.forward(input);
        return nn.functional.relu(x.add_(shortcut), inplace: true).MoveToOuterDisposeScope();
    }

    /// <summary>A chain of residuals: the first maps <paramref name="inChannels"/> to <paramref name="outChannels"/>
    /// with <paramref name="firstStride"/>, the rest keep the width (the authors' make_layer / make_hg_layer).</summary>
    public static Sequential Chain(int inChannels, int outChannels, int count, int firstStride = 1)
    {
        var layers = new List<nn.Module<Tensor, Tensor>> { new Residual(inChannels, outChannels, firstStride) };
        for (var i = 1; i < count; i++) layers.Add(new Residual(outChannels, outChannels));
        return nn.Sequential(layers);
    }

    /// <summary>The reverse chain: all but the last keep <paramref name="inChannels"/>, the last maps to
    /// <paramref name="outChannels"/> (the authors' make_layer_revr).</summary>
    public static Sequential ReverseChain(int inChannels, int outChannels, int count)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        for (var i = 0; i < count - 1; i++) layers.Add(new Residual(inChannels, inChannels));
        layers.Add(new Residual(inChannels, outChannels));
        return nn.Sequential(layers);
    }
}
