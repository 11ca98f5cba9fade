namespace CornerNet.Training.Hosting;

/// <summary>The verb's exit code, read once the host has stopped.</summary>
public sealed class WorkerVerbOutcome
{
    /// <summary>Null while the verb runs, and after the host gave up waiting for it.</summary>
    public int? ExitCode { get; set; }

    /// <summary>The host stopped at its shutdown timeout with the verb still running on its thread.</summary>
    public bool Abandoned { get; set; }
}
