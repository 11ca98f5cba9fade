using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// k x k convolution, then BatchNorm (or a conv bias instead), then ReLU: the authors' <c>convolution</c> block.
/// State-dict names: <c>conv.weight</c> (+ <c>conv.bias</c> without BN), <c>bn.*</c>.
/// </summary>
public sealed class ConvBnRelu : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d? _batchNorm;

    public ConvBnRelu(int kernel, int inChannels, int outChannels, int stride = 1, bool withBatchNorm = true)
        : base(nameof(ConvBnRelu))
    {
        _conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2, bias: !withBatchNorm);
        register_module("conv", _conv);
        if (withBatchNorm)
        {
            _batchNorm = nn.BatchNorm2d(outChannels);
            register_module("bn", _batchNorm);
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _conv.forward(input);
        if (_batchNorm is not null) x = _batchNorm.forward(x);
        return nn.functional.relu(x, inplace: true).MoveToOuterDisposeScope();
    }
}
