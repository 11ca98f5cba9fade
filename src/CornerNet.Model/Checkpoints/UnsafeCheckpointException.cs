namespace CornerNet.Model.Checkpoints;

/// <summary>
/// A checkpoint whose pickle references a Python global that is not on the reader's allow-list
/// (for example <c>posix.system</c>). Such a file could run arbitrary code in Python's unpickler; we refuse it.
/// </summary>
public sealed class UnsafeCheckpointException : CheckpointFormatException
{
    public UnsafeCheckpointException(string message, string globalName)
        : base(message)
    {
        GlobalName = globalName;
    }

    /// <summary>The refused global as <c>module.name</c>.</summary>
    public string GlobalName { get; }
}
