namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>
/// What <c>AuthorsReference/authors_reference.py</c> prints on stdout: the authors' timings and detections for one
/// image, or <see cref="Error"/> and <see cref="Kind"/> when it could not run them.
/// </summary>
public sealed record AuthorsScriptOutput
{
    public string? Error { get; init; }

    /// <summary>With <see cref="Error"/>: repo, python-module, torch-missing, cpools, nms-build, weights, image or failure.</summary>
    public string? Kind { get; init; }

    public string? TorchVersion { get; init; }

    public string? Python { get; init; }

    public int Threads { get; init; }

    /// <summary>The BLAS library mapped into their process (CornerNet-Lite script only).</summary>
    public AuthorsBlas? Blas { get; init; }

    public string? AuthorsRepo { get; init; }

    public string? AuthorsCommit { get; init; }

    /// <summary>Kind "compiled" (their C++ extension) or "stand-in" (our torch.cummax pools), and how it was decided.</summary>
    public AuthorsComponent? CornerPools { get; init; }

    /// <summary>How their Cython soft-NMS was obtained.</summary>
    public AuthorsComponent? Nms { get; init; }

    public string? Weights { get; init; }

    public long Parameters { get; init; }

    public int[]? InputShape { get; init; }

    public int Warmup { get; init; }

    public int Iterations { get; init; }

    /// <summary>preprocess, forward, decode, forwardDecode, postprocess, endToEnd: milliseconds per call of their
    /// kp_detection (one image with its mirror).</summary>
    public Dictionary<string, AuthorsStageTiming>? TimingsMs { get; init; }

    /// <summary>What their kp_detection keeps, stale soft-NMS rows included.</summary>
    public IReadOnlyList<AuthorsDetection>? Detections { get; init; }

    /// <summary>The same network output with the stale rows dropped before the max_per_image cut (what our pipeline does).</summary>
    public IReadOnlyList<AuthorsDetection>? DetectionsIntended { get; init; }

    public int StaleRows { get; init; }

    /// <summary>CornerNet-Saccade: the zoom crops their last timed call took.</summary>
    public int? Crops { get; init; }
}
