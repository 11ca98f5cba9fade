namespace CornerNet.Training.Hosting;

/// <summary>One verb's work, run once by the worker host.</summary>
public interface IWorkerVerb
{
    /// <summary>Does the work and returns the process exit code.</summary>
    /// <param name="stopping">Cancelled when the host is asked to stop (Ctrl-C, SIGTERM).</param>
    int Run(CancellationToken stopping);
}
