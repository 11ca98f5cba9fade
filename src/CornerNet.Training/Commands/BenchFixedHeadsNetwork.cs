using CornerNet.Model.Architecture;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Training.Commands;

/// <summary>
/// Stands in for the network and returns the same precomputed heads for any input, so that the detector's
/// decode and NMS stages can be timed without a forward pass. The heads are created outside the detector's
/// dispose scopes, so they outlive every call; the caller disposes them.
/// </summary>
internal sealed class BenchFixedHeadsNetwork(CornerHeads heads) : nn.Module<Tensor, CornerHeads>("bench_fixed_heads")
{
    public override CornerHeads forward(Tensor input) => heads;
}
