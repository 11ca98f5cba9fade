using CornerNet.Model.Inference;
using CornerNet.Service.Modeling;
using Prometheus;

namespace CornerNet.Service.Observability;

/// <summary>The service's own Prometheus metrics (HTTP request metrics come from prometheus-net's middleware).</summary>
public sealed class ServiceMetrics
{
    private static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.001, 2, 16);

    public Gauge QueueDepth { get; } = Metrics.CreateGauge("cornernet_queue_depth", "Images waiting for the model.");

    public Histogram BatchSize { get; } = Metrics.CreateHistogram("cornernet_batch_size", "Images per batch run through the model.",
        new HistogramConfiguration { Buckets = Histogram.LinearBuckets(1, 1, 16) });

    public Histogram ForwardSeconds { get; } = Metrics.CreateHistogram("cornernet_forward_seconds", "Network forward time per batch.",
        new HistogramConfiguration { Buckets = DurationBuckets });

    public Histogram DecodeSeconds { get; } = Metrics.CreateHistogram("cornernet_decode_seconds", "Corner decoding plus soft-NMS time per batch.",
        new HistogramConfiguration { Buckets = DurationBuckets });

    public Histogram ZoomCrops { get; } = Metrics.CreateHistogram("cornernet_zoom_crops", "Zoom crops per image (CornerNet-Saccade models).",
        new HistogramConfiguration { Buckets = [0, 1, 2, 4, 8, 16, 30, 64] });

    public Counter ImagesQueued { get; } = Metrics.CreateCounter("cornernet_images_queued_total", "Images accepted into the queue.");

    public Counter ImagesProcessed { get; } = Metrics.CreateCounter("cornernet_images_processed_total", "Images the model has processed.");

    public Counter DroppedJobs { get; } = Metrics.CreateCounter("cornernet_dropped_jobs_total", "Queued images dropped before inference.",
        new CounterConfiguration { LabelNames = ["reason"] });

    /// <summary>Requests refused before queuing, by reason: <c>expected_wait</c> (longer than Batching:MaxQueueWaitMs),
    /// <c>queue_full</c>, <c>shutting_down</c>, <c>not_ready</c>.</summary>
    public Counter RejectedRequests { get; } = Metrics.CreateCounter("cornernet_rejected_requests_total", "Requests refused with 503 before queuing, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    public Gauge ExpectedWaitSeconds { get; } = Metrics.CreateGauge("cornernet_expected_wait_seconds",
        "Queue wait a new image can expect: images outstanding x the recent time per image (admission compares it with Batching:MaxQueueWaitMs).");

    public Gauge BatchSizeCap { get; } = Metrics.CreateGauge("cornernet_batch_size_cap",
        "Largest batch the worker runs: Batching:MaxBatchSize, or less where larger batches measured slower per image.");

    /// <summary>Requests answered 503 because a shared budget (<c>pixels</c>: Limits:MaxPixelsInFlight; <c>body_bytes</c>:
    /// Limits:MaxBodyBytesInFlight) was spent.</summary>
    public Counter BudgetRejections { get; } = Metrics.CreateCounter("cornernet_budget_rejections_total",
        "Requests refused because decoded pixels or body bytes in flight were at their limit.",
        new CounterConfiguration { LabelNames = ["budget"] });

    /// <summary>1 for the corner decoder in use (<c>managed</c>, or <c>torch</c> operations), with whether this libtorch
    /// passed the managed decoder's self-check; <c>torch</c> with <c>self_check="failed"</c> is the slow fallback.</summary>
    public Gauge DecoderInfo { get; } = Metrics.CreateGauge("cornernet_decoder_info",
        "Corner decoder in use: managed, or torch operations (self_check=failed is the slow CPU fallback).",
        new GaugeConfiguration { LabelNames = ["decoder", "self_check"] });

    public void RecordDecoder(DecoderInUse decoder) =>
        DecoderInfo.WithLabels(decoder.Name, decoder.ManagedSelfCheckPassed ? "passed" : "failed").Set(1);

    /// <param name="crops">The zoom crops of each image of the batch (CornerNet-Saccade), or null.</param>
    public void RecordBatch(int size, StageTimings timings, IReadOnlyList<int>? crops = null)
    {
        foreach (var count in crops ?? []) ZoomCrops.Observe(count);
        BatchSize.Observe(size);
        ForwardSeconds.Observe(timings.Forward.TotalSeconds);
        DecodeSeconds.Observe((timings.Decode + timings.Nms).TotalSeconds);
        ImagesProcessed.Inc(size);
    }
}
