using CornerNet.Model.Inference;

namespace CornerNet.Service.Batching;

/// <summary>What the model found for one job, and how its batch went.</summary>
public sealed record JobOutcome(IReadOnlyList<Detection> Detections, StageTimings Timings, int BatchSize, TimeSpan QueueWait);
