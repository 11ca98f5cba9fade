using CornerNet.Model.Architecture;
using CornerNet.Model.Training;

namespace CornerNet.Training.Trainer;

/// <summary>Everything one training run needs; the CLI fills it from a config file and command-line overrides.</summary>
public sealed record TrainingOptions
{
    /// <summary>COCO-format annotations file.</summary>
    public required string AnnotationsPath { get; init; }

    /// <summary>Folder that image file names are relative to; defaults to the annotations file's folder.</summary>
    public string? ImagesDirectory { get; init; }

    public required ArchitectureSpec Architecture { get; init; }

    /// <summary>Run folder: checkpoints, loss log and the final weights go here.</summary>
    public required string OutputDirectory { get; init; }

    public int BatchSize { get; init; } = 4;

    /// <summary>Total optimiser steps of the run.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Adam's learning rate before the step (the authors' 2.5e-4).</summary>
    public double LearningRate { get; init; } = 2.5e-4;

    /// <summary>Iteration from which the learning rate is multiplied by <see cref="LearningRateDecay"/>; null for none.</summary>
    public int? LearningRateStep { get; init; }

    public double LearningRateDecay { get; init; } = 0.1;

    /// <summary>Maximum global gradient norm; null leaves gradients unclipped.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Write a checkpoint every this many iterations (and at the end, and on cancellation).</summary>
    public int CheckpointInterval { get; init; } = 500;

    /// <summary>How many of the newest checkpoints are kept.</summary>
    public int KeepLastCheckpoints { get; init; } = 3;

    /// <summary>Root of every random draw: image order, augmentation and the network's initial weights.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>libtorch intra-op threads; 0 keeps libtorch's default.</summary>
    public int Threads { get; init; }

    /// <summary>Batches prepared ahead by the loader thread.</summary>
    public int PrefetchBatches { get; init; } = 4;

    /// <summary>
    /// Keep decoded images in memory after their first use (saves the loader re-decoding them every epoch). Off by
    /// default: right for small sets like the synthetic shapes, far too much memory for COCO.
    /// </summary>
    public bool CacheDecodedImages { get; init; }

    /// <summary>Continue from the newest checkpoint in <see cref="OutputDirectory"/> (a fresh start when there is none).</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Weights (.pth) to start from instead of a random initialisation, e.g. converted published weights; a resumed run
    /// takes its checkpoint's weights instead.
    /// </summary>
    public string? InitialWeightsPath { get; init; }

    /// <summary>Augmentation settings; null uses the authors' pipeline for the architecture.</summary>
    public AugmentationOptions? Augmentation { get; init; }

    public CornerNetLossOptions? Loss { get; init; }

    public TrainingOptions Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(AnnotationsPath)) problems.Add("the annotations path is empty");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) problems.Add("the output folder is empty");
        if (BatchSize < 1) problems.Add($"batch size must be at least 1 (got {BatchSize})");
        if (Iterations < 1) problems.Add($"iterations must be at least 1 (got {Iterations})");
        if (!(LearningRate > 0)) problems.Add($"learning rate must be positive (got {LearningRate})");
        if (LearningRateStep is < 1) problems.Add($"learning-rate step must be at least 1 (got {LearningRateStep})");
        if (!(LearningRateDecay > 0)) problems.Add($"learning-rate decay must be positive (got {LearningRateDecay})");
        if (GradientClipNorm is not null && !(GradientClipNorm > 0)) problems.Add($"gradient clip norm must be positive (got {GradientClipNorm})");
        if (CheckpointInterval < 1) problems.Add($"checkpoint interval must be at least 1 (got {CheckpointInterval})");
        if (KeepLastCheckpoints < 1) problems.Add($"keep-last must be at least 1 (got {KeepLastCheckpoints})");
        if (Threads < 0) problems.Add($"threads must not be negative (got {Threads})");
        if (PrefetchBatches < 1) problems.Add($"prefetch must be at least 1 (got {PrefetchBatches})");
        if (problems.Count > 0) throw new ArgumentException($"Invalid training options: {string.Join("; ", problems)}.");
        Architecture.Validate();
        return this;
    }

    /// <summary>The learning rate in force at a (zero-based) iteration.</summary>
    public double LearningRateAt(int iteration) =>
        LearningRateStep is { } step && iteration >= step ? LearningRate * LearningRateDecay : LearningRate;
}
