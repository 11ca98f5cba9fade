using CornerNet.Model.Architecture;
using CornerNet.Model.Data;
using CornerNet.Model.Training;
using CornerNet.Training.Trainer;

namespace CornerNet.Training.Tests;

/// <summary>Small data sets, a network small enough to train in seconds, and scratch folders for training tests.</summary>
internal static class TrainingFixtures
{
    /// <summary>Widths are multiples of 16 so no convolution needs the tail-channel padding.</summary>
    public static ArchitectureSpec Micro { get; } = new()
    {
        Name = "micro-shapes",
        Depth = 2,
        Stacks = 2,
        Dims = [16, 16, 32],
        Modules = [1, 1, 1],
        CnvDim = 16,
        StemDim = 16,
        PoolDim = 16,
        Classes = ArchitecturePresets.ShapeClasses,
        InputSize = [63, 63],
        OutputSize = [16, 16],
    };

    /// <summary>The squeeze family at the same small widths (output stride 8: 127 -> 16).</summary>
    public static ArchitectureSpec MicroSqueeze { get; } = Micro with
    {
        Name = "micro-squeeze-shapes",
        Family = NetworkFamily.Squeeze,
        InputSize = [127, 127],
    };

    /// <summary>The saccade family (depth 3, attention heads) at the same small widths, at 127 (output 32, attention
    /// maps 8, 16, 32).</summary>
    public static ArchitectureSpec MicroSaccade { get; } = Micro with
    {
        Name = "micro-saccade-shapes",
        Family = NetworkFamily.Saccade,
        Depth = 3,
        Dims = [16, 16, 16, 32],
        Modules = [1, 1, 1, 1],
        AttDim = 16,
        InputSize = [127, 127],
        OutputSize = [32, 32],
    };

    /// <summary>A fresh scratch folder under the system temp folder.</summary>
    public static string NewFolder(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "cornernet-training-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes a synthetic shapes set of 64x64 images into <paramref name="folder"/>; returns its annotations path.</summary>
    public static string Shapes(string folder, int images, ulong seed = 7)
    {
        new SyntheticShapesGenerator(new SyntheticShapesOptions
        {
            ImageCount = images,
            Seed = seed,
            MinImageSize = 64,
            MaxImageSize = 64,
            MinObjectsPerImage = 1,
            MaxObjectsPerImage = 3,
            MinObjectSize = 12,
            SamplesPerAxis = 2,
        }).Generate(folder);
        return Path.Combine(folder, SyntheticShapesGenerator.AnnotationsFileName);
    }

    /// <summary>Options for a short run on the micro network; augmentation off where a test wants a learnable toy problem.</summary>
    public static TrainingOptions Options(string annotations, string output, int iterations, bool augment = true) => new()
    {
        AnnotationsPath = annotations,
        OutputDirectory = output,
        Architecture = Micro,
        BatchSize = 2,
        Iterations = iterations,
        LearningRate = 1e-3,
        CheckpointInterval = 1000,
        KeepLastCheckpoints = 2,
        Seed = 3,
        PrefetchBatches = 2,
        Augmentation = augment
            ? null
            : AugmentationOptions.FromSpec(Micro) with { RandomCrop = false, HorizontalFlip = false, ColorJitter = false, Lighting = false },
    };
}
