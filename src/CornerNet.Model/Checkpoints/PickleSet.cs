namespace CornerNet.Model.Checkpoints;

/// <summary>A Python set or frozenset from a pickle (metadata only; its members are kept but never interpreted).</summary>
internal sealed class PickleSet
{
    public List<object?> Items { get; } = [];
}
