using System.Text.Json;
using System.Text.Json.Serialization;

namespace CornerNet.Training.Commands;

/// <summary>
/// The JSON file of <c>train --config</c>. Every field is optional here and can be overridden on the command line;
/// relative paths are taken relative to the config file's folder.
/// </summary>
public sealed record TrainingConfig
{
    public string? Annotations { get; init; }

    public string? Images { get; init; }

    /// <summary>A preset name or an architecture JSON file.</summary>
    public string? Architecture { get; init; }

    public string? Output { get; init; }

    public int? BatchSize { get; init; }

    public int? Iterations { get; init; }

    public double? LearningRate { get; init; }

    public int? LearningRateStep { get; init; }

    public double? LearningRateDecay { get; init; }

    public double? GradientClip { get; init; }

    public int? CheckpointInterval { get; init; }

    public int? KeepLast { get; init; }

    public int? Seed { get; init; }

    public int? Threads { get; init; }

    public int? Prefetch { get; init; }

    public bool? CacheImages { get; init; }

    /// <summary>Weights (.pth) to start from instead of a random initialisation.</summary>
    public string? InitialWeights { get; init; }

    /// <summary>Seconds a stopped run has to write its checkpoint before the process exits anyway.</summary>
    public int? ShutdownTimeoutSeconds { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads a config file; a bad file throws <see cref="ArgumentException"/> naming it.</summary>
    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{path}: config file not found.");
        TrainingConfig config;
        try
        {
            config = JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(path), JsonOptions)
                     ?? throw new ArgumentException($"{path}: the config file is empty.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path}: not a valid training config: {e.Message}", e);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return config with
        {
            Annotations = Rooted(folder, config.Annotations),
            Images = Rooted(folder, config.Images),
            Output = Rooted(folder, config.Output),
            InitialWeights = Rooted(folder, config.InitialWeights),
            Architecture = config.Architecture is { } a && (a.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || a.Contains('/')) ? Rooted(folder, a) : config.Architecture,
        };
    }

    private static string? Rooted(string folder, string? path) => path is null ? null : Path.GetFullPath(path, folder);
}
