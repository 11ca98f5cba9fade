namespace CornerNet.Client;

/// <summary>Query options of the detect calls; null leaves the service's default.</summary>
public sealed record DetectOptions
{
    /// <summary>Minimum score, 0..1.</summary>
    public float? ScoreThreshold { get; init; }

    /// <summary>Most detections per image, 1..100.</summary>
    public int? MaxDetections { get; init; }

    /// <summary>Class names or indices to keep.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>The model to run (<see cref="CornerNetClient.GetModelsAsync"/>); null runs the service's default model.</summary>
    public string? Model { get; init; }
}
