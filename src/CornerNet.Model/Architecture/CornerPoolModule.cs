using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// The corner-pooling module (the authors' <c>pool</c>): two 3x3 conv-BN-ReLU branches, each pooled in one
/// direction, summed, 3x3 conv-BN; plus a 1x1 conv-BN shortcut; ReLU; then a 3x3 conv-BN-ReLU.
/// Top-left corners use Top + Left pooling, bottom-right corners Bottom + Right.
/// </summary>
public sealed class CornerPoolModule : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    [ComponentName(Name = "p1_conv1")]
    private readonly ConvBnRelu _branch1;
    [ComponentName(Name = "p2_conv1")]
    private readonly ConvBnRelu _branch2;
    [ComponentName(Name = "p_conv1")]
    private readonly Conv2dLayer _poolConv;
    [ComponentName(Name = "p_bn1")]
    private readonly BatchNorm2d _poolBn;
    [ComponentName(Name = "conv1")]
    private readonly Conv2dLayer _shortcutConv;
    [ComponentName(Name = "bn1")]
    private readonly BatchNorm2d _shortcutBn;
    [ComponentName(Name = "conv2")]
    private readonly ConvBnRelu _output;
    private readonly PoolDirection _direction1;
    private readonly PoolDirection _direction2;
    private bool _batchNormFolded;

    public CornerPoolModule(int dim, int poolDim, PoolDirection direction1, PoolDirection direction2)
        : base(nameof(CornerPoolModule))
    {
        _direction1 = direction1;
        _direction2 = direction2;
        _branch1 = new ConvBnRelu(3, dim, poolDim);
        _branch2 = new ConvBnRelu(3, dim, poolDim);
        _poolConv = new Conv2dLayer(poolDim, dim, 3, padding: 1, bias: false);
        _poolBn = nn.BatchNorm2d(dim);
        _shortcutConv = new Conv2dLayer(dim, dim, 1, bias: false);
        _shortcutBn = nn.BatchNorm2d(dim);
        _output = new ConvBnRelu(3, dim, dim);
        RegisterComponents();
    }

    public static CornerPoolModule TopLeft(int dim, int poolDim) => new(dim, poolDim, PoolDirection.Top, PoolDirection.Left);

    public static CornerPoolModule BottomRight(int dim, int poolDim) => new(dim, poolDim, PoolDirection.Bottom, PoolDirection.Right);

    public void FoldBatchNorm()
    {
        if (_batchNormFolded) return;
        _poolConv.FoldBatchNorm(_poolBn);
        _shortcutConv.FoldBatchNorm(_shortcutBn);
        _batchNormFolded = true;
    }

    private Tensor Normalised(BatchNorm2d batchNorm, Tensor convolved) => _batchNormFolded ? convolved : batchNorm.forward(convolved);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = DirectionalPool.Apply(_branch1.forward(input), _direction1)
            .add_(DirectionalPool.Apply(_branch2.forward(input), _direction2));
        if (_batchNormFolded)
        {
            return _output.forward(_poolConv.ForwardAddRelu(pooled, _shortcutConv.forward(input))).MoveToOuterDisposeScope();
        }

        var merged = Normalised(_poolBn, _poolConv.forward(pooled))
            .add_(Normalised(_shortcutBn, _shortcutConv.forward(input)));
        return _output.forward(nn.functional.relu(merged, inplace: true)).MoveToOuterDisposeScope();
    }
}
