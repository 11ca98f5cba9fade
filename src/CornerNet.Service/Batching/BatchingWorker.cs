using System.Diagnostics;
using CornerNet.Model.Inference;
using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Batching;

/// <summary>
/// The only caller of the model. Each round has four steps: wait for work, form a batch from what queued while the
/// model was busy (<see cref="BatchDispatcher.Take"/>), hold it back only if company is coming
/// (<see cref="BatchDispatcher.HoldFor"/>), then drop the jobs whose callers are gone or late and run the rest
/// (<see cref="RunBatch"/>). Tensor work happens synchronously inside
/// <see cref="CornerNetDetector.Detect(IReadOnlyList{DecodedImage})"/>, never across an await.
/// </summary>
public sealed class BatchingWorker(
    DetectionQueue queue,
    ModelHost modelHost,
    ImageTimeEstimate estimate,
    ShutdownDrain drain,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    IOptions<BatchingOptions> options,
    ServiceMetrics metrics,
    ILogger<BatchingWorker> logger) : BackgroundService
{
    private readonly CancellationTokenSource _drainOver = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The drain starts when shutdown does, not when this service's turn to stop comes: the web server stops
        // first and waits (Host:ShutdownTimeout) for the requests whose images are queued here.
        using var draining = lifetime.ApplicationStopping.Register(BeginDrain);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _drainOver.Token);
        BatchDispatcher? dispatcher = null;
        try
        {
            // Ends when the queue is closed (shutdown) and empty: queued work is finished, not dropped.
            while ((dispatcher?.Pending ?? 0) > 0 || await queue.Reader.WaitToReadAsync(stop.Token))
            {
                stop.Token.ThrowIfCancellationRequested();
                // Jobs are only queued once the model is ready, so its measured batch sizes are known here.
                dispatcher ??= CreateDispatcher();
                dispatcher.Take();
                await HoldAsync(dispatcher, stop.Token);
                RunBatch(dispatcher.NextBatch());
                metrics.QueueDepth.Set(queue.Depth);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The drain time ran out: answer what is left (503) rather than leave requests hanging or reset.
            var abandoned = dispatcher?.FailAll(() => new ServiceStoppingException()) ?? FailQueued();
            if (abandoned > 0)
            {
                drain.RecordAbandoned(abandoned);
                metrics.DroppedJobs.WithLabels(RequestAbandonment.Label(AbandonReason.ShuttingDown)).Inc(abandoned);
                logger.LogWarning("Shutdown: {Abandoned} queued images could not be run within Batching:ShutdownDrainSeconds; their requests were answered 503", abandoned);
            }
        }
    }

    /// <summary>Graceful shutdown: refuse new work at once, finish what is queued within Batching:ShutdownDrainSeconds,
    /// then answer the rest 503. A batch already running is finished.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        BeginDrain();
        if (ExecuteTask is { IsCompleted: false } running)
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    /// <summary>New requests are refused from now on; what is queued has Batching:ShutdownDrainSeconds to run.</summary>
    private void BeginDrain()
    {
        if (!queue.IsOpen) return;
        queue.Close();
        _drainOver.CancelAfter(TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds));
    }

    public override void Dispose()
    {
        _drainOver.Dispose();
        base.Dispose();
    }

    private BatchDispatcher CreateDispatcher()
    {
        var settings = options.Value;
        var cap = modelHost.BatchSizes?.Cap ?? settings.MaxBatchSize;
        var dispatcher = new BatchDispatcher(queue, new BatchPolicy(cap, TimeSpan.FromMilliseconds(settings.MaxDelayMs)), estimate, clock);
        dispatcher.Dropped += (_, reason) => metrics.DroppedJobs.WithLabels(RequestAbandonment.Label(reason)).Inc();
        return dispatcher;
    }

    /// <summary>Waits for company while the policy says it is coming, taking arrivals as they come.</summary>
    private async Task HoldAsync(BatchDispatcher dispatcher, CancellationToken stoppingToken)
    {
        for (var hold = dispatcher.HoldFor(); hold > TimeSpan.Zero; hold = dispatcher.HoldFor())
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(hold);
            try
            {
                if (!await queue.Reader.WaitToReadAsync(wait.Token)) return;
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return;
            }

            dispatcher.Take();
        }
    }

    private int FailQueued()
    {
        var failed = 0;
        while (queue.Reader.TryRead(out var job))
        {
            queue.Left(1);
            job.Fail(new ServiceStoppingException());
            failed++;
        }

        return failed;
    }

    /// <summary>Runs one batch through the model and answers its jobs; nothing to do when every job was dropped.</summary>
    private void RunBatch(IReadOnlyList<DetectionJob> batch)
    {
        if (batch.Count == 0) return;
        var started = clock.GetTimestamp();
        DetectionTracing.RecordQueueWaits(batch, started);
        using var span = DetectionTracing.StartBatch(batch);
        DetectionResult result;
        try
        {
            result = modelHost.Run(model => model.Detector.Detect(batch.Select(j => j.Image).ToList()));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Batch of {BatchSize} failed", batch.Count);
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            DetectionTracing.RecordBatchRuns(batch, span, started, e.Message);
            queue.Left(batch.Count);
            foreach (var job in batch) job.Fail(e);
            return;
        }

        DetectionTracing.RecordBatchRuns(batch, span, started);

        estimate.Record(batch.Count, clock.GetElapsedTime(started));
        var maxQueueWait = TimeSpan.Zero;
        queue.Left(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var wait = clock.GetElapsedTime(batch[i].EnqueuedAt, started);
            maxQueueWait = wait > maxQueueWait ? wait : maxQueueWait;
            batch[i].Complete(new JobOutcome(result.Images[i], result.Timings, batch.Count, wait, result.Crops?[i]));
        }

        metrics.RecordBatch(batch.Count, result.Timings, result.Crops);
        logger.LogInformation(
            "Batch of {BatchSize} ran: queue wait up to {QueueWaitMs:F1} ms, preprocess {PreprocessMs:F1} ms, forward {ForwardMs:F1} ms, decode {DecodeMs:F1} ms, nms {NmsMs:F1} ms, zoom crops per image {Crops}",
            batch.Count, maxQueueWait.TotalMilliseconds, result.Timings.Preprocess.TotalMilliseconds,
            result.Timings.Forward.TotalMilliseconds, result.Timings.Decode.TotalMilliseconds, result.Timings.Nms.TotalMilliseconds,
            result.Crops is null ? "none (whole-image procedure)" : string.Join(", ", result.Crops));
    }
}
