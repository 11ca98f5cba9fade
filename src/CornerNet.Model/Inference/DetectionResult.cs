namespace CornerNet.Model.Inference;

/// <summary>The detections of every image of one call, in input order, and where the time went.</summary>
/// <param name="Crops">CornerNet-Saccade: the zoom crops each image took (input order); null for procedures without
/// crops.</param>
public sealed record DetectionResult(IReadOnlyList<IReadOnlyList<Detection>> Images, StageTimings Timings, IReadOnlyList<int>? Crops = null);
