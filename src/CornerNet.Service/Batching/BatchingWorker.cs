using System.Diagnostics;
using CornerNet.Model.Inference;
using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Batching;

/// <summary>
/// The only caller of the model: takes up to Batching:MaxBatchSize queued images, waiting at most Batching:MaxDelayMs
/// after the first, drops those whose client left or whose time ran out, and runs the rest as one batch. Tensor work
/// happens synchronously inside <see cref="CornerNetDetector.Detect(IReadOnlyList{DecodedImage})"/>, never across an await.
/// </summary>
public sealed class BatchingWorker(
    DetectionQueue queue,
    ModelHost modelHost,
    IOptions<BatchingOptions> options,
    ServiceMetrics metrics,
    ILogger<BatchingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var batch = new List<DetectionJob>(settings.MaxBatchSize);
        var maxDelay = TimeSpan.FromMilliseconds(settings.MaxDelayMs);
        try
        {
            // Ends when the queue is closed (shutdown) and empty: queued work is finished, not dropped.
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await CollectAsync(batch, settings.MaxBatchSize, maxDelay, stoppingToken);
                Run(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The drain deadline passed: answer what is left rather than leave requests hanging.
            foreach (var job in batch) job.Fail(new ServiceStoppingException());
            while (queue.Reader.TryRead(out var job)) job.Fail(new ServiceStoppingException());
        }
    }

    /// <summary>Graceful shutdown: refuse new work at once, finish what is queued within Batching:ShutdownDrainSeconds.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        if (ExecuteTask is { IsCompleted: false } running)
        {
            var drainLimit = Task.Delay(TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds), cancellationToken);
            await Task.WhenAny(running, drainLimit);
        }

        await base.StopAsync(cancellationToken);
    }

    private async Task CollectAsync(List<DetectionJob> batch, int maxBatchSize, TimeSpan maxDelay, CancellationToken stoppingToken)
    {
        var firstAt = Stopwatch.GetTimestamp();
        while (batch.Count < maxBatchSize)
        {
            if (queue.Reader.TryRead(out var job))
            {
                batch.Add(job);
                continue;
            }

            var remaining = maxDelay - Stopwatch.GetElapsedTime(firstAt);
            if (batch.Count > 0 && remaining <= TimeSpan.Zero)
            {
                break;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            try
            {
                if (!await queue.Reader.WaitToReadAsync(wait.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private void Run(List<DetectionJob> batch)
    {
        var now = Stopwatch.GetTimestamp();
        var live = new List<DetectionJob>(batch.Count);
        foreach (var job in batch)
        {
            if (job.RequestAborted.IsCancellationRequested)
            {
                job.Cancel();
                metrics.DroppedJobs.WithLabels(RequestAbandonment.Label(job.AbandonReason)).Inc();
            }
            else if (job.IsExpired(now))
            {
                job.Fail(new JobExpiredException());
                metrics.DroppedJobs.WithLabels(RequestAbandonment.Label(AbandonReason.Timeout)).Inc();
            }
            else
            {
                live.Add(job);
            }
        }

        metrics.QueueDepth.Set(queue.Depth);
        if (live.Count == 0)
        {
            return;
        }

        DetectionTracing.RecordQueueWaits(live, now);
        using var span = DetectionTracing.StartBatch(live);
        DetectionResult result;
        try
        {
            result = modelHost.Model.Detector.Detect(live.Select(j => j.Image).ToList());
        }
        catch (Exception e)
        {
            logger.LogError(e, "Batch of {BatchSize} failed", live.Count);
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            DetectionTracing.RecordBatchRuns(live, span, now, e.Message);
            foreach (var job in live) job.Fail(e);
            return;
        }

        DetectionTracing.RecordBatchRuns(live, span, now);

        var maxQueueWait = TimeSpan.Zero;
        for (var i = 0; i < live.Count; i++)
        {
            var wait = Stopwatch.GetElapsedTime(live[i].EnqueuedAt, now);
            maxQueueWait = wait > maxQueueWait ? wait : maxQueueWait;
            live[i].Complete(new JobOutcome(result.Images[i], result.Timings, live.Count, wait));
        }

        metrics.RecordBatch(live.Count, result.Timings);
        logger.LogInformation(
            "Batch of {BatchSize} ran: queue wait up to {QueueWaitMs:F1} ms, preprocess {PreprocessMs:F1} ms, forward {ForwardMs:F1} ms, decode {DecodeMs:F1} ms, nms {NmsMs:F1} ms",
            live.Count, maxQueueWait.TotalMilliseconds, result.Timings.Preprocess.TotalMilliseconds,
            result.Timings.Forward.TotalMilliseconds, result.Timings.Decode.TotalMilliseconds, result.Timings.Nms.TotalMilliseconds);
    }
}
