using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;

namespace CornerNet.Training.OfflineDetection;

/// <summary>Everything a <c>detect</c> run is given on its command line.</summary>
public sealed record DetectSettings
{
    public required string WeightsPath { get; init; }

    /// <summary>Architecture preset or JSON file; null: the .json beside the weights.</summary>
    public string? Architecture { get; init; }

    /// <summary>A folder, a glob or a list file (<see cref="ImageCollection"/>).</summary>
    public required string Images { get; init; }

    /// <summary>The COCO results JSON written at the end; its journal is <see cref="DetectionJournal.PathFor"/> of it.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Also write one JSON line per image (labels, skipped files with their reason) here.</summary>
    public string? JsonLinesPath { get; init; }

    /// <summary>Also write each image with its boxes drawn into this folder (<see cref="AnnotatedImageFiles"/>).</summary>
    public string? AnnotatedFolder { get; init; }

    /// <summary>Boxes scoring below this are not drawn on the annotated images.</summary>
    public float AnnotatedScoreThreshold { get; init; } = DefaultAnnotatedScoreThreshold;

    /// <summary>The service's default score threshold (Detection:ScoreThreshold), for the same pictures.</summary>
    public const float DefaultAnnotatedScoreThreshold = 0.3f;

    /// <summary>COCO annotations whose images give the image ids (by file name) and whose categories give the category ids.</summary>
    public string? AnnotationsPath { get; init; }

    public Shard Shard { get; init; } = Shard.Whole;

    /// <summary>Images forwarded together, and the unit of the journal.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>libtorch threads; 0 leaves libtorch's choice.</summary>
    public int Threads { get; init; }

    public DetectorOptions? Detector { get; init; }

    public InferenceTuning Tuning { get; init; } = InferenceTuning.Default;

    public ProgressStyle Progress { get; init; } = ProgressStyle.Auto;

    /// <summary>Least time between two progress lines (<see cref="ProgressStyle.Lines"/>).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(10);

    public static CornerNetNetwork LoadNetwork(string weightsPath, string? architecture) => architecture is null
        ? ModelCheckpoint.Load(weightsPath)
        : ModelCheckpoint.Load(ArchitectureSpec.Resolve(architecture), weightsPath);
}
