namespace CornerNet.Service.Api;

/// <summary>Per-request filters applied to the model's detections (the model's own settings stay fixed).</summary>
/// <param name="ScoreThreshold">Minimum score; null takes Detection:ScoreThreshold.</param>
/// <param name="MaxDetections">Most detections returned, 1..100; null takes Detection:MaxDetections.</param>
/// <param name="Classes">Comma-separated class names or indices to keep; null or empty keeps all.</param>
/// <param name="Model">The model to run (GET /models); null or empty runs Detection:DefaultModel.</param>
public sealed record DetectionQuery(float? ScoreThreshold, int? MaxDetections, string? Classes, string? Model = null);
