namespace CornerNet.Training.Hosting;

/// <summary>How the worker's host runs one verb.</summary>
public sealed record WorkerHostOptions
{
    /// <summary>The verb's name; it starts the verb's messages ("train: …").</summary>
    public required string Verb { get; init; }

    /// <summary>
    /// How long the host waits, after a stop request (Ctrl-C, SIGTERM), for the verb to finish before the process exits
    /// anyway. For <c>train</c> this is the time its last checkpoint has to be written. Verbs that cannot stop early keep
    /// zero: waiting for them would only delay the exit.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; }
}
