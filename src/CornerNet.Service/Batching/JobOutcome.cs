using CornerNet.Model.Inference;

namespace CornerNet.Service.Batching;

/// <summary>What the model found for one job, how its batch went, and which weights answered (their SHA-256).</summary>
/// <param name="Crops">The zoom crops a CornerNet-Saccade model took in this job's image; null for other families.</param>
public sealed record JobOutcome(IReadOnlyList<Detection> Detections, StageTimings Timings, int BatchSize, TimeSpan QueueWait, string WeightsSha256, int? Crops = null);
