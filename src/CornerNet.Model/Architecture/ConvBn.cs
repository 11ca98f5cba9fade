using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// A 1x1 convolution then BatchNorm, no ReLU: the authors' <c>nn.Sequential(nn.Conv2d(..., 1), nn.BatchNorm2d(...))</c>
/// (residual projections, <c>inters_</c>, <c>cnvs_</c>). State-dict names: <c>0.weight</c>, <c>1.*</c>.
/// </summary>
public sealed class ConvBn : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    [ComponentName(Name = "0")]
    private readonly Conv2dLayer _conv;
    [ComponentName(Name = "1")]
    private readonly BatchNorm2d _batchNorm;
    private bool _batchNormFolded;

    public ConvBn(int inChannels, int outChannels, int stride = 1) : base(nameof(ConvBn))
    {
        _conv = new Conv2dLayer(inChannels, outChannels, 1, stride: stride, bias: false);
        _batchNorm = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public void FoldBatchNorm()
    {
        if (_batchNormFolded) return;
        _conv.FoldBatchNorm(_batchNorm);
        _batchNormFolded = true;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _conv.forward(input);
        return (_batchNormFolded ? x : _batchNorm.forward(x)).MoveToOuterDisposeScope();
    }
}
