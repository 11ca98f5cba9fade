using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// k x k convolution, then BatchNorm (or a conv bias instead), then ReLU: the authors' <c>convolution</c> block.
/// State-dict names: <c>conv.weight</c> (+ <c>conv.bias</c> without BN), <c>bn.*</c>.
/// </summary>
public sealed class ConvBnRelu : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    [ComponentName(Name = "conv")]
    private readonly Conv2dLayer _conv;
    [ComponentName(Name = "bn")]
    private readonly BatchNorm2d? _batchNorm;
    private bool _batchNormFolded;

    public ConvBnRelu(int kernel, int inChannels, int outChannels, int stride = 1, bool withBatchNorm = true)
        : base(nameof(ConvBnRelu))
    {
        _conv = new Conv2dLayer(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2, bias: !withBatchNorm);
        _batchNorm = withBatchNorm ? nn.BatchNorm2d(outChannels) : null;
        RegisterComponents();
    }

    public void FoldBatchNorm()
    {
        if (_batchNorm is null || _batchNormFolded) return;
        _conv.FoldBatchNorm(_batchNorm);
        _batchNormFolded = true;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        if (_batchNorm is null || _batchNormFolded) return _conv.ForwardRelu(input).MoveToOuterDisposeScope();
        var x = _batchNorm.forward(_conv.forward(input));
        return nn.functional.relu(x, inplace: true).MoveToOuterDisposeScope();
    }
}
