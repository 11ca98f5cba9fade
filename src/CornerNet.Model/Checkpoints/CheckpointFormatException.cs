namespace CornerNet.Model.Checkpoints;

/// <summary>
/// A checkpoint file that is truncated, corrupt, not a PyTorch checkpoint, or uses a feature this reader does not support.
/// The message names the file (when known) and what was wrong.
/// </summary>
public class CheckpointFormatException : Exception
{
    public CheckpointFormatException(string message)
        : base(message)
    {
    }

    public CheckpointFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Prefixes a problem description with the file it concerns, when that is known.</summary>
    internal static string Describe(string? source, string problem) =>
        string.IsNullOrEmpty(source) ? problem : $"{source}: {problem}";
}
