namespace CornerNet.Service.Configuration;

/// <summary>
/// One model the service serves, under its name: the Model, Batching and Inference settings it runs with. A section
/// <c>Models:{name}</c> holds only what differs from the sections Batching and Inference (its own Architecture,
/// Weights, Device, Precision, MaxBatchSize, MaxDelayMs, InferenceThreads...); what it leaves out is theirs.
/// </summary>
public sealed class ServedModelOptions
{
    public required string Name { get; init; }

    /// <summary>The configuration section it was read from (<c>Models:{name}</c>, or <c>Model</c>), for error messages.</summary>
    public required string Section { get; init; }

    public required ModelOptions Model { get; init; }

    public required BatchingOptions Batching { get; init; }

    public required InferenceOptions Inference { get; init; }
}
