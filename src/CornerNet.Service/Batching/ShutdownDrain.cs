namespace CornerNet.Service.Batching;

/// <summary>
/// What shutdown did to queued work: the batching worker counts the images it could not run within
/// Batching:ShutdownDrainSeconds (their requests were answered 503), and Program turns a non-zero count into exit code
/// <see cref="WorkAbandonedExitCode"/>.
/// </summary>
public sealed class ShutdownDrain
{
    /// <summary>The process exit code when queued work was abandoned at shutdown.</summary>
    public const int WorkAbandonedExitCode = 3;

    private int _abandoned;

    /// <summary>Images answered 503 because the drain time ran out.</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    public void RecordAbandoned(int images) => Interlocked.Add(ref _abandoned, images);
}
