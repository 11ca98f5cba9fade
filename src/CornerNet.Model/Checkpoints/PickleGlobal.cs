namespace CornerNet.Model.Checkpoints;

/// <summary>An allow-listed Python global (a class or function) named by a pickle; never called, only recognised.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";

    public override string ToString() => FullName;
}
