using CornerNet.Benchmarks.AuthorsReference;

namespace CornerNet.Benchmarks;

/// <summary>Everything one <c>bench</c> run measured, as printed and as written to JSON.</summary>
public sealed record BenchReport
{
    public required string Architecture { get; init; }

    /// <summary>The weights file, or null for random weights.</summary>
    public string? Weights { get; init; }

    public required string Image { get; init; }

    public required int CanvasWidth { get; init; }

    public required int CanvasHeight { get; init; }

    public required int Threads { get; init; }

    public required int Warmup { get; init; }

    public required int Iterations { get; init; }

    /// <summary>1, 5 and 15 minute load averages at the start (Linux), to judge how noisy the timings are.</summary>
    public double[]? LoadAverage { get; init; }

    public required IReadOnlyList<BenchPipelineRow> Pipeline { get; init; }

    /// <summary>CornerNet-Saccade: the zoom settings when not the authors' (bench --crops), in words.</summary>
    public string? SaccadeSettings { get; init; }

    public required IReadOnlyList<BenchDecodeRow> DecodeMicro { get; init; }

    /// <summary>Whether the managed and torch-ops decoders gave bit-identical output on the micro-benchmark heads.</summary>
    public bool? DecodersIdentical { get; init; }

    public required BenchPreprocessResult PreprocessOnly { get; init; }

    /// <summary>The convolution rate per precision and the hourglass104 forward pass it implies (see <see cref="ConvolutionFloor"/>).</summary>
    public IReadOnlyList<ConvolutionFloorRow> ConvolutionFloor { get; init; } = [];

    /// <summary>1, 5 and 15 minute load averages at the end (Linux).</summary>
    public double[]? LoadAverageAtEnd { get; init; }

    /// <summary>The authors' code on the same image (bench --authors-repo); null when not run or when it failed.</summary>
    public AuthorsReferenceReport? Authors { get; init; }
}
