using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Tools.Common;

/// <summary>
/// Stands in for the network: returns copies of the same precomputed heads for any input, so that the detector's
/// decode and NMS can be tested and timed without a forward pass. The copies are made in the caller's dispose scope;
/// the heads given stay the caller's to dispose.
/// </summary>
public sealed class FixedHeadsNetwork(CornerHeads heads) : nn.Module<Tensor, CornerHeads>("fixed_heads")
{
    public override CornerHeads forward(Tensor input) => new(
        heads.TopLeftHeat.clone(), heads.BottomRightHeat.clone(), heads.TopLeftTag.clone(),
        heads.BottomRightTag.clone(), heads.TopLeftOffset.clone(), heads.BottomRightOffset.clone());
}
