namespace CornerNet.LoadGenerator;

/// <summary>One row of the table: closed-loop clients at one concurrency against one service configuration.</summary>
/// <param name="Mode">on, off, or as-configured (an already-running service).</param>
/// <param name="MaxBatchSize">The service's Batching:MaxBatchSize.</param>
/// <param name="Requests">Responses received in the measured window, errors included.</param>
/// <param name="Errors">Responses other than 200, and requests that got no response.</param>
/// <param name="ErrorKinds">Errors by kind ("HTTP 503", "HttpRequestException: ...").</param>
/// <param name="ThroughputPerSecond">Successful images per second of the measured window.</param>
/// <param name="Latency">Of the successful requests, client-side (send to last byte of the response).</param>
/// <param name="MeanBatchSize">Mean batch size the service reported (timings.batchSize) for these images.</param>
/// <param name="MeanQueueMs">Mean time the images waited in the service's queue (timings.queueMs).</param>
/// <param name="MeanForwardMs">Mean forward time of the batches the images ran in (timings.forwardMs).</param>
/// <param name="DetectionsPerImage">Detections in the first successful response (a sanity check of the answers).</param>
public sealed record HttpLoadResult(
    string Mode,
    int MaxBatchSize,
    int Concurrency,
    int Requests,
    int Errors,
    IReadOnlyDictionary<string, int> ErrorKinds,
    double MeasuredSeconds,
    double ThroughputPerSecond,
    LatencySummary? Latency,
    double? MeanBatchSize,
    double? MeanQueueMs,
    double? MeanForwardMs,
    int? DetectionsPerImage)
{
    /// <summary>The service process's CPU time (all threads) per image answered, when it runs on this machine.</summary>
    public double? ServiceCpuMsPerImage { get; init; }

    /// <summary>The service's own queue wait of the successful images (timings.queueMs): unlike client latencies, it
    /// leaves out HTTP and the client, and its median is robust to the scheduling outliers of a busy machine.</summary>
    public LatencySummary? QueueWait { get; init; }

    /// <summary>This load generator's CPU time per image: it shares the machine's cores with the service.</summary>
    public double? ClientCpuMsPerImage { get; init; }
}
