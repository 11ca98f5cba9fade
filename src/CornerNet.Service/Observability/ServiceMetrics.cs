using Prometheus;

namespace CornerNet.Service.Observability;

/// <summary>The service's own Prometheus metrics (HTTP request metrics come from prometheus-net's middleware). Those
/// about one model carry its name in the label <c>model</c> (<see cref="For"/>).</summary>
public sealed class ServiceMetrics
{
    public const string ModelLabel = "model";

    private static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.001, 2, 16);

    public Gauge QueueDepth { get; } = Metrics.CreateGauge("cornernet_queue_depth", "Images waiting for the model.", ModelLabel);

    public Histogram BatchSize { get; } = Metrics.CreateHistogram("cornernet_batch_size", "Images per batch run through the model.",
        new HistogramConfiguration { Buckets = Histogram.LinearBuckets(1, 1, 16), LabelNames = [ModelLabel] });

    public Histogram ForwardSeconds { get; } = Metrics.CreateHistogram("cornernet_forward_seconds", "Network forward time per batch.",
        new HistogramConfiguration { Buckets = DurationBuckets, LabelNames = [ModelLabel] });

    public Histogram DecodeSeconds { get; } = Metrics.CreateHistogram("cornernet_decode_seconds", "Corner decoding plus soft-NMS time per batch.",
        new HistogramConfiguration { Buckets = DurationBuckets, LabelNames = [ModelLabel] });

    public Histogram ZoomCrops { get; } = Metrics.CreateHistogram("cornernet_zoom_crops", "Zoom crops per image (CornerNet-Saccade models).",
        new HistogramConfiguration { Buckets = [0, 1, 2, 4, 8, 16, 30, 64], LabelNames = [ModelLabel] });

    public Counter ImagesQueued { get; } = Metrics.CreateCounter("cornernet_images_queued_total", "Images accepted into the queue.", ModelLabel);

    public Counter ImagesProcessed { get; } = Metrics.CreateCounter("cornernet_images_processed_total", "Images the model has processed.", ModelLabel);

    public Counter DroppedJobs { get; } = Metrics.CreateCounter("cornernet_dropped_jobs_total", "Queued images dropped before inference.",
        new CounterConfiguration { LabelNames = [ModelLabel, "reason"] });

    /// <summary>Requests refused before queuing, by reason: <c>expected_wait</c> (longer than Batching:MaxQueueWaitMs),
    /// <c>queue_full</c>, <c>shutting_down</c>, <c>not_ready</c>.</summary>
    public Counter RejectedRequests { get; } = Metrics.CreateCounter("cornernet_rejected_requests_total", "Requests refused with 503 before queuing, by reason.",
        new CounterConfiguration { LabelNames = [ModelLabel, "reason"] });

    public Gauge ExpectedWaitSeconds { get; } = Metrics.CreateGauge("cornernet_expected_wait_seconds",
        "Queue wait a new image can expect: images outstanding x the recent time per image (admission compares it with Batching:MaxQueueWaitMs).", ModelLabel);

    public Gauge BatchSizeCap { get; } = Metrics.CreateGauge("cornernet_batch_size_cap",
        "Largest batch the worker runs: Batching:MaxBatchSize, or less where larger batches measured slower per image.", ModelLabel);

    /// <summary>Requests answered 503 because a shared budget (<c>pixels</c>: Limits:MaxPixelsInFlight; <c>body_bytes</c>:
    /// Limits:MaxBodyBytesInFlight) was spent.</summary>
    public Counter BudgetRejections { get; } = Metrics.CreateCounter("cornernet_budget_rejections_total",
        "Requests refused because decoded pixels or body bytes in flight were at their limit.",
        new CounterConfiguration { LabelNames = ["budget"] });

    /// <summary>1 for the corner decoder in use (<c>managed</c>, or <c>torch</c> operations), with whether this libtorch
    /// passed the managed decoder's self-check; <c>torch</c> with <c>self_check="failed"</c> is the slow fallback.</summary>
    public Gauge DecoderInfo { get; } = Metrics.CreateGauge("cornernet_decoder_info",
        "Corner decoder in use: managed, or torch operations (self_check=failed is the slow CPU fallback).",
        new GaugeConfiguration { LabelNames = [ModelLabel, "decoder", "self_check"] });

    /// <summary>Reloads of a model's weights by outcome: <c>reloaded</c>, <c>unchanged</c> (same SHA-256), <c>failed</c>
    /// (the old weights kept serving).</summary>
    public Counter ModelReloads { get; } = Metrics.CreateCounter("cornernet_model_reloads_total",
        "Reloads of a model's weights, by outcome (reloaded, unchanged, failed).",
        new CounterConfiguration { LabelNames = [ModelLabel, "outcome"] });

    /// <summary>1 for the weights each model serves now, by their SHA-256.</summary>
    public Gauge ModelWeights { get; } = Metrics.CreateGauge("cornernet_model_weights_info",
        "The weights each model serves (1 for the current SHA-256).",
        new GaugeConfiguration { LabelNames = [ModelLabel, "sha256"] });

    /// <summary>The metrics of one model.</summary>
    public ModelMetrics For(string model) => new(this, model);
}
