using CornerNet.Benchmarks.AuthorsReference;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference.Saccade;

namespace CornerNet.Benchmarks;

/// <summary>Settings of one <c>bench</c> run (see <see cref="BenchCommand"/>).</summary>
public sealed record BenchOptions
{
    /// <summary>
    /// Preset name or architecture JSON file; null means the weights' architecture file beside them if there is
    /// one, else tiny. hourglass104 is opt-in because its forward pass takes seconds.
    /// </summary>
    public string? Architecture { get; init; }

    /// <summary>What <see cref="Architecture"/> resolves to for these weights.</summary>
    public string ArchitectureOrDefault =>
        Architecture
        ?? (Weights is not null && File.Exists(ModelCheckpoint.ArchitecturePathFor(Weights)) ? ModelCheckpoint.ArchitecturePathFor(Weights) : ArchitecturePresets.Tiny.Name);

    /// <summary>Weights file; null benchmarks randomly initialised weights.</summary>
    public string? Weights { get; init; }

    /// <summary>Precisions to run, one set of rows each.</summary>
    public IReadOnlyList<InferencePrecision> Precisions { get; init; } = [InferencePrecision.Fp32];

    /// <summary>Fold BatchNorm into the convolutions (off only to measure what folding gains).</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>Channels-last activations (off only to measure what they gain).</summary>
    public bool ChannelsLast { get; init; } = true;

    public bool FuseConvolutions { get; init; }

    /// <summary>Keep freed memory for reuse (off only to measure what it gains; see HeapReuse).</summary>
    public bool ReuseFreedMemory { get; init; } = true;

    /// <summary>How the network is prepared for <paramref name="precision"/>.</summary>
    public InferenceTuning TuningFor(InferencePrecision precision) =>
        new() { Precision = precision, FoldBatchNorm = FoldBatchNorm, ChannelsLast = ChannelsLast, FuseConvolutions = FuseConvolutions, ReuseFreedMemory = ReuseFreedMemory };

    /// <summary>CornerNet-Saccade only: zoom on this many crops per image, on our side and the authors' (attention
    /// threshold 0, so every attention peak proposes a location, and at most this many crops); null keeps the authors'
    /// settings (threshold 0.3, at most 30), under which random weights seldom zoom at all.</summary>
    public int? SaccadeCrops { get; init; }

    /// <summary>The zoom settings <see cref="SaccadeCrops"/> means; null for the authors'.</summary>
    public SaccadeOptions? SaccadeSettings => SaccadeCrops is { } crops ? new SaccadeOptions { AttentionThreshold = 0, MaxCrops = crops } : null;

    /// <summary>Images per <c>Detect</c> call, one table row each.</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [1];

    /// <summary>libtorch threads; null keeps libtorch's choice.</summary>
    public int? Threads { get; init; }

    /// <summary>Timed calls per row; medians are reported.</summary>
    public int Iterations { get; init; } = 5;

    /// <summary>Untimed calls before the timed ones.</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>Where to write the results as JSON; null writes none.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Image to detect on; null generates a deterministic 640x480 image.</summary>
    public string? ImagePath { get; init; }

    /// <summary>Also time the torch-ops decoder on the micro-benchmark heads (about a second per call on CPU).</summary>
    public bool CompareTorchDecoder { get; init; } = true;

    /// <summary>A checkout of the authors' princeton-vl/CornerNet: after our rows, run their test-time path on the same
    /// image and compare (see <see cref="AuthorsReferenceRunner"/>); null runs ours only.</summary>
    public string? AuthorsRepo { get; init; }

    /// <summary>The Python with PyTorch that runs the authors' code (Debian's python3-torch).</summary>
    public string Python { get; init; } = AuthorsReferenceRunner.DefaultPython;

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public BenchOptions Validate()
    {
        var problems = new List<string>();
        if (BatchSizes.Count == 0 || BatchSizes.Any(b => b < 1)) problems.Add("batch sizes must be positive");
        if (Threads is < 1) problems.Add($"--threads must be at least 1 (got {Threads})");
        if (Iterations < 1) problems.Add($"--iterations must be at least 1 (got {Iterations})");
        if (Warmup < 0) problems.Add($"--warmup must not be negative (got {Warmup})");
        if (SaccadeCrops < 0) problems.Add($"--crops must not be negative (got {SaccadeCrops})");
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems) + ".");
        return this;
    }
}
