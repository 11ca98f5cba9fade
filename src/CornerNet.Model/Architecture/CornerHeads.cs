using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// The six raw outputs of one stack's heads. Heatmaps are logits (before the sigmoid), shaped
/// [batch, classes, height, width]; tags are [batch, 1, height, width]; offsets are [batch, 2, height, width]
/// with x in channel 0 and y in channel 1.
/// </summary>
public sealed record CornerHeads(
    Tensor TopLeftHeat,
    Tensor BottomRightHeat,
    Tensor TopLeftTag,
    Tensor BottomRightTag,
    Tensor TopLeftOffset,
    Tensor BottomRightOffset) : IDisposable
{
    public IEnumerable<Tensor> All => [TopLeftHeat, BottomRightHeat, TopLeftTag, BottomRightTag, TopLeftOffset, BottomRightOffset];

    /// <summary>Moves every tensor out of the current dispose scope (to the caller's).</summary>
    public CornerHeads MoveToOuterDisposeScope()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}
