using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CornerNet.Training.Hosting;

/// <summary>
/// Runs the verb once, records its exit code and stops the host. A stop request reaches the verb as cancellation of
/// its token; the host then waits for it at most <see cref="WorkerHostOptions.ShutdownTimeout"/>.
/// </summary>
public sealed partial class WorkerVerbService(
    IWorkerVerb verb,
    WorkerVerbOutcome outcome,
    IHostApplicationLifetime lifetime,
    IOptions<WorkerHostOptions> options,
    ILogger<WorkerVerbService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // A thread of its own rather than a pool thread: the work is long, synchronous and CPU-bound, and libtorch's
            // thread settings made by a verb apply to the thread that runs it.
            outcome.ExitCode = await Task.Factory.StartNew(
                () => verb.Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before it finished: no exit code, so the host reports the run as interrupted.
        }
        catch (Exception e)
        {
            LogVerbFailed(logger, e, options.Value.Verb);
            outcome.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false })
        {
            outcome.Abandoned = true;
            // Verbs without a shutdown timeout cannot stop early; leaving them on Ctrl-C is expected, so not a warning.
            if (options.Value.ShutdownTimeout > TimeSpan.Zero) LogAbandoned(logger, options.Value.Verb, options.Value.ShutdownTimeout.TotalSeconds);
            else LogLeft(logger, options.Value.Verb);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "{Verb} failed")]
    private static partial void LogVerbFailed(ILogger logger, Exception exception, string verb);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Verb} did not finish within its shutdown timeout of {Seconds} s after the stop request; exiting without it")]
    private static partial void LogAbandoned(ILogger logger, string verb, double seconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "{Verb} stopped before it finished")]
    private static partial void LogLeft(ILogger logger, string verb);
}
