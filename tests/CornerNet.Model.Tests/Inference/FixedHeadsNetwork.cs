using CornerNet.Model.Architecture;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Inference;

/// <summary>Returns copies of the same precomputed heads for any input: isolates decode and NMS cost.</summary>
internal sealed class FixedHeadsNetwork(CornerHeads heads) : nn.Module<Tensor, CornerHeads>("fixed")
{
    public override CornerHeads forward(Tensor input) => new(
        heads.TopLeftHeat.clone(), heads.BottomRightHeat.clone(), heads.TopLeftTag.clone(),
        heads.BottomRightTag.clone(), heads.TopLeftOffset.clone(), heads.BottomRightOffset.clone());
}
