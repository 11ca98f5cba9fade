namespace CornerNet.Model.Architecture;

/// <summary>A module whose BatchNorms can be folded into the convolutions before them (see
/// <see cref="Conv2dLayer.FoldBatchNorm"/>); afterwards it is for inference only.</summary>
public interface IFoldsBatchNorm
{
    /// <summary>Folds this module's own BatchNorms (not its submodules'); a second call does nothing.</summary>
    void FoldBatchNorm();
}
