using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>How requests are queued and grouped into batches for the one model.</summary>
public sealed class BatchingOptions
{
    public const string Section = "Batching";

    /// <summary>Most images run through the network together.</summary>
    [Range(1, 64)]
    public int MaxBatchSize { get; set; } = 4;

    /// <summary>Longest wait after the first queued image for others to join its batch.</summary>
    [Range(0, 10_000)]
    public int MaxDelayMs { get; set; } = 10;

    /// <summary>Images that may wait; beyond this new requests get 503 at once.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 64;

    /// <summary>A request still waiting after this long is dropped before the model sees it (504).</summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 60;

    /// <summary>Threads libtorch uses for one batch; 0 keeps libtorch's default (all cores).</summary>
    [Range(0, 1024)]
    public int InferenceThreads { get; set; }

    /// <summary>On shutdown, how long queued work may take to finish before the service exits anyway.</summary>
    [Range(0, 3600)]
    public int ShutdownDrainSeconds { get; set; } = 30;
}
