using System.Diagnostics;
using CornerNet.Model.Inference;
using CornerNet.Service.Modeling;
using CornerNet.Service.Observability;

namespace CornerNet.Service.Batching;

/// <summary>
/// The only caller of one model (<see cref="ModelUnit"/>). Each round has four steps: wait for work, form a batch from what queued while the
/// model was busy (<see cref="BatchDispatcher.Take"/>), hold it back only if company is coming
/// (<see cref="BatchDispatcher.HoldFor"/>), then drop the jobs whose callers are gone or late and run the rest
/// (<see cref="RunBatchAsync"/>). Tensor work happens synchronously inside
/// <see cref="CornerNetDetector.Detect(IReadOnlyList{DecodedImage})"/> on the model's own thread
/// (<see cref="ModelUnit.Thread"/>), never across an await; the batch holds its weights (<see cref="ModelSlot.Lease"/>),
/// so a reload that switches weights meanwhile does not free them under it.
/// </summary>
public sealed class BatchingWorker(
    ModelUnit unit,
    ShutdownDrain drain,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<BatchingWorker> logger) : BackgroundService
{
    private readonly CancellationTokenSource _drainOver = new();
    private readonly CancellationTokenSource _batchGraceOver = new();
    private IReadOnlyList<DetectionJob>? _running;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The drain starts when shutdown does, not when this service's turn to stop comes: the web server stops
        // first and waits (Host:ShutdownTimeout) for the requests whose images are queued here.
        using var draining = lifetime.ApplicationStopping.Register(BeginDrain);
        using var graceOver = _batchGraceOver.Token.Register(AnswerRunningBatch);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _drainOver.Token);
        BatchDispatcher? dispatcher = null;
        try
        {
            // Ends when the queue is closed (shutdown) and empty: queued work is finished, not dropped.
            while ((dispatcher?.Pending ?? 0) > 0 || await unit.Queue.Reader.WaitToReadAsync(stop.Token))
            {
                stop.Token.ThrowIfCancellationRequested();
                // Jobs are only queued once the model is ready, so its measured batch sizes are known here.
                dispatcher ??= CreateDispatcher();
                dispatcher.Take();
                await HoldAsync(dispatcher, stop.Token);
                await RunBatchAsync(dispatcher.NextBatch());
                unit.Metrics.QueueDepth.Set(unit.Queue.Depth);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The drain time ran out: answer what is left (503) rather than leave requests hanging or reset.
            var abandoned = dispatcher?.FailAll(() => new ServiceStoppingException()) ?? FailQueued();
            if (abandoned > 0)
            {
                drain.RecordAbandoned(abandoned);
                unit.Metrics.Dropped(AbandonReason.ShuttingDown, abandoned);
                logger.LogWarning("Shutdown: {Abandoned} queued images of the model '{Model}' could not be run within Batching:ShutdownDrainSeconds; their requests were answered 503", abandoned, unit.Name);
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
            if (!running.IsCompleted && _batchGraceOver.IsCancellationRequested)
            {
                // Its requests were answered 503 (AnswerRunningBatch) and nobody waits for it, but the process must not
                // end while libtorch is inside its forward pass (that crashes it, SIGSEGV): the exit waits for the pass.
                logger.LogWarning("Shutdown: waiting for the running batch of the model '{Model}' to end before exiting", unit.Name);
                await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await base.StopAsync(cancellationToken);
    }

    /// <summary>New requests are refused from now on; what is queued has Batching:ShutdownDrainSeconds to run, and a
    /// batch running when that ends Batching:ShutdownBatchGraceSeconds more.</summary>
    private void BeginDrain()
    {
        if (!unit.Queue.IsOpen) return;
        unit.Queue.Close();
        var drainTime = TimeSpan.FromSeconds(unit.Options.Batching.ShutdownDrainSeconds);
        _drainOver.CancelAfter(drainTime);
        _batchGraceOver.CancelAfter(drainTime + TimeSpan.FromSeconds(unit.Options.Batching.ShutdownBatchGraceSeconds));
    }

    /// <summary>
    /// The grace after the drain is over and a batch is still running: its forward pass cannot be interrupted, so its
    /// requests are answered 503 now, while the server still waits for them (the host's shutdown timeout is longer by
    /// <c>ServerExtensions.AnswerMargin</c>), instead of having their connections closed unanswered when it ends.
    /// </summary>
    private void AnswerRunningBatch()
    {
        if (Volatile.Read(ref _running) is not { } running) return;
        var answered = running.Count(job => job.Fail(new ServiceStoppingException()));
        if (answered == 0) return;
        drain.RecordAbandoned(answered);
        unit.Metrics.Dropped(AbandonReason.ShuttingDown, answered);
        logger.LogWarning("Shutdown: a batch of {BatchSize} of the model '{Model}' was still running {GraceSeconds} s after the drain ended (Batching:ShutdownBatchGraceSeconds); its {Answered} requests' images were answered 503",
            running.Count, unit.Name, unit.Options.Batching.ShutdownBatchGraceSeconds, answered);
    }

    public override void Dispose()
    {
        _drainOver.Dispose();
        _batchGraceOver.Dispose();
        base.Dispose();
    }

    private BatchDispatcher CreateDispatcher()
    {
        var settings = unit.Options.Batching;
        var cap = unit.BatchSizes?.Cap ?? settings.MaxBatchSize;
        var dispatcher = new BatchDispatcher(unit.Queue, new BatchPolicy(cap, TimeSpan.FromMilliseconds(settings.MaxDelayMs)), unit.Estimate, clock);
        dispatcher.Dropped += (_, reason) => unit.Metrics.Dropped(reason);
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
                if (!await unit.Queue.Reader.WaitToReadAsync(wait.Token)) return;
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
        while (unit.Queue.Reader.TryRead(out var job))
        {
            unit.Queue.Left(1);
            job.Fail(new ServiceStoppingException());
            failed++;
        }

        return failed;
    }

    /// <summary>Runs one batch through the model and answers its jobs; nothing to do when every job was dropped.</summary>
    private async Task RunBatchAsync(IReadOnlyList<DetectionJob> batch)
    {
        if (batch.Count == 0) return;
        var started = clock.GetTimestamp();
        DetectionTracing.RecordQueueWaits(batch, started);
        using var span = DetectionTracing.StartBatch(batch);
        DetectionResult result;
        string weights;
        try
        {
            Volatile.Write(ref _running, batch);
            (result, weights) = await unit.Thread.RunAsync(() =>
            {
                using var lease = unit.Slot.Acquire();
                return (lease.Model.Detector.Detect(batch.Select(j => j.Image).ToList()), lease.Model.WeightsSha256);
            });
        }
        catch (Exception e)
        {
            logger.LogError(e, "Batch of {BatchSize} failed", batch.Count);
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            DetectionTracing.RecordBatchRuns(batch, span, started, e.Message);
            unit.Queue.Left(batch.Count);
            foreach (var job in batch) job.Fail(e);
            return;
        }
        finally
        {
            Volatile.Write(ref _running, null);
        }

        DetectionTracing.RecordBatchRuns(batch, span, started);

        unit.Estimate.Record(batch.Count, clock.GetElapsedTime(started));
        var maxQueueWait = TimeSpan.Zero;
        unit.Queue.Left(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var wait = clock.GetElapsedTime(batch[i].EnqueuedAt, started);
            maxQueueWait = wait > maxQueueWait ? wait : maxQueueWait;
            batch[i].Complete(new JobOutcome(result.Images[i], result.Timings, batch.Count, wait, weights, result.Crops?[i]));
        }

        unit.Metrics.RecordBatch(batch.Count, result.Timings, result.Crops);
        logger.LogInformation(
            "Batch of {BatchSize} ran on {Model}: queue wait up to {QueueWaitMs:F1} ms, preprocess {PreprocessMs:F1} ms, forward {ForwardMs:F1} ms, decode {DecodeMs:F1} ms, nms {NmsMs:F1} ms, zoom crops per image {Crops}",
            batch.Count, unit.Name, maxQueueWait.TotalMilliseconds, result.Timings.Preprocess.TotalMilliseconds,
            result.Timings.Forward.TotalMilliseconds, result.Timings.Decode.TotalMilliseconds, result.Timings.Nms.TotalMilliseconds,
            result.Crops is null ? "none (whole-image procedure)" : string.Join(", ", result.Crops));
    }
}
