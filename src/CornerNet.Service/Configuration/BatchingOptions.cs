using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>How requests are queued and grouped into batches for the one model.</summary>
public sealed class BatchingOptions : IValidatableObject
{
    public const string Section = "Batching";

    /// <summary>Most images run through the network together.</summary>
    [Range(1, 64)]
    public int MaxBatchSize { get; set; } = 4;

    /// <summary>Longest a queued image may be held back for others to join its batch. Applies only when waiting can fill
    /// a batch (images are arriving faster than that); an image that finds the model idle runs at once.</summary>
    [Range(0, 10_000)]
    public int MaxDelayMs { get; set; } = 10;

    /// <summary>Images that may wait; beyond this new requests get 503 at once.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 64;

    /// <summary>Admission: a request whose expected queue wait (images ahead x the recent time per image) is longer
    /// than this is answered 503 at once, with Retry-After from the same estimate. Unset (the default): the longer of
    /// 200 ms and the model's recent time per image (<see cref="Batching.QueueAdmission"/>), so a slow model still
    /// admits a request behind the one it is running.</summary>
    [Range(1, 3_600_000)]
    public int? MaxQueueWaitMs { get; set; }

    /// <summary>At start-up, time batches of 1, 2, 4 ... MaxBatchSize on the loaded model and never run a batch larger
    /// than the one with the best time per image. False trusts MaxBatchSize as it is.</summary>
    public bool MeasureBatchSizes { get; set; } = true;

    /// <summary>A request still waiting after this long is dropped before the model sees it (504).</summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 60;

    /// <summary>Threads libtorch uses for one batch; 0 keeps libtorch's default (all cores).</summary>
    [Range(0, 1024)]
    public int InferenceThreads { get; set; }

    /// <summary>On shutdown, how long queued work may take to finish before the service exits anyway.</summary>
    [Range(0, 3600)]
    public int ShutdownDrainSeconds { get; set; } = 30;

    /// <summary>On shutdown, how long after the drain a batch already running may still take; its requests are then
    /// answered 503 (a running forward pass cannot be interrupted) before the server closes its connections.</summary>
    [Range(0, 3600)]
    public int ShutdownBatchGraceSeconds { get; set; } = 10;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxQueueWaitMs is { } maxQueueWaitMs && maxQueueWaitMs >= RequestTimeoutSeconds * 1000L)
        {
            yield return new ValidationResult(
                $"Batching:MaxQueueWaitMs ({maxQueueWaitMs}) must be shorter than Batching:RequestTimeoutSeconds ({RequestTimeoutSeconds} s): admitted requests would time out in the queue.",
                [nameof(MaxQueueWaitMs)]);
        }
    }
}
