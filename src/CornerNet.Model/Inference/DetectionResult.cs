namespace CornerNet.Model.Inference;

/// <summary>The detections of every image of one call, in input order, and where the time went.</summary>
public sealed record DetectionResult(IReadOnlyList<IReadOnlyList<Detection>> Images, StageTimings Timings);
