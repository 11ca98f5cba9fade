using CornerNet.Model.Checkpoints;

namespace CornerNet.Service.Modeling;

/// <summary>The failures a model load can meet with a file or setting at fault (anything else is a bug).</summary>
public static class ModelLoadFailures
{
    public static bool IsExpected(Exception e) => e is ModelLoadException or CheckpointFormatException
        or CheckpointMismatchException or IOException or UnauthorizedAccessException or ArgumentException;
}
