namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>The <c>authors</c> section of a bench report: the authors' code run on the same image, side by side.</summary>
public sealed record AuthorsReferenceReport
{
    public required string Repository { get; init; }

    /// <summary>The authors' test function that ran: kp_detection (CornerNet), cornernet_inference (CornerNet-Squeeze)
    /// or cornernet_saccade_inference (CornerNet-Saccade).</summary>
    public string Procedure { get; init; } = "kp_detection";

    /// <summary>CornerNet-Saccade: the zoom crops our detector took on the image (random or given weights).</summary>
    public int? OurCrops { get; init; }

    /// <summary>CornerNet-Saccade: the zoom crops their cornernet_saccade_inference took.</summary>
    public int? TheirCrops { get; init; }

    public string? Commit { get; init; }

    public required string TorchVersion { get; init; }

    public required string Python { get; init; }

    public required int Threads { get; init; }

    /// <summary>The BLAS library their PyTorch used (reported by the CornerNet-Lite script), e.g. "openblas (PATH)".</summary>
    public string? Blas { get; init; }

    /// <summary>"compiled" (their C++ extension) or "stand-in" (our pools, the same ATen calls as their forward, injected under their module names).</summary>
    public required string CornerPools { get; init; }

    public string? CornerPoolsDetail { get; init; }

    /// <summary>How their Cython soft-NMS was obtained.</summary>
    public required string Nms { get; init; }

    /// <summary>The weights both sides used: the --weights file, or our network's random weights written for both.</summary>
    public required string Weights { get; init; }

    /// <summary>Their network input, e.g. 2x3x511x767 (the image and its mirror).</summary>
    public required string InputShape { get; init; }

    public required int Warmup { get; init; }

    public required int Iterations { get; init; }

    /// <summary>Median milliseconds per image (with its mirror) of their kp_detection: crop_image, normalisation and
    /// the mirrored batch.</summary>
    public required double PreprocessMs { get; init; }

    /// <summary>Their network alone.</summary>
    public required double ForwardMs { get; init; }

    /// <summary>Their _decode.</summary>
    public required double DecodeMs { get; init; }

    /// <summary>Un-mirroring, rescaling, soft-NMS per class, the max_per_image cut.</summary>
    public required double PostprocessMs { get; init; }

    public required double EndToEndMs { get; init; }

    public required double FastestEndToEndMs { get; init; }

    /// <summary>The batch size of our row the ratios use (1: one image with its mirror, as theirs).</summary>
    public required int OurBatchSize { get; init; }

    /// <summary>The precision of that row (fp32 when there is one).</summary>
    public required string OurPrecision { get; init; }

    public required double OurForwardMs { get; init; }

    public required double OurEndToEndMs { get; init; }

    /// <summary>Ours / theirs: above 1 ours is slower.</summary>
    public required double ForwardRatio { get; init; }

    /// <summary>Ours / theirs: above 1 ours is slower.</summary>
    public required double EndToEndRatio { get; init; }

    /// <summary>The same ratios for every batch-1 row of ours (one per precision), the one above first.</summary>
    public required IReadOnlyList<AuthorsRatio> Ratios { get; init; }

    /// <summary>How many of their detections ours reproduce (both sides always use the same weights).</summary>
    public AuthorsDetectionComparison? Detections { get; init; }
}
