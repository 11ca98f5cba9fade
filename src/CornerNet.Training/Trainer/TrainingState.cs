using System.Text.Json;

namespace CornerNet.Training.Trainer;

/// <summary>
/// What a checkpoint needs beyond the weights and the optimiser to continue identically. The data order and the
/// augmentation draws are functions of (seed, iteration, slot), so seed and iteration are the whole data RNG state;
/// libtorch's generator is saved as well for anything random inside the network.
/// </summary>
public sealed record TrainingState
{
    /// <summary>Iterations completed; the next one to run has this zero-based index.</summary>
    public required int Iteration { get; init; }

    public required int Seed { get; init; }

    public required int BatchSize { get; init; }

    public required double LearningRate { get; init; }

    /// <summary>libtorch's CPU generator state, base64.</summary>
    public string? TorchRngState { get; init; }

    public DateTimeOffset SavedAt { get; init; }

    public static TrainingState Load(string path) =>
        JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(path), JsonOptions)
        ?? throw new TrainingDataException($"{path}: the training state is empty.");

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };
}
