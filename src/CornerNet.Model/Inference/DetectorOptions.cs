using CornerNet.Model.Architecture;

namespace CornerNet.Model.Inference;

/// <summary>
/// Test-time settings of the CornerNet pipeline. Every default is the authors' value (CornerNet.json and
/// db/detection.py); <see cref="AuthorsMultiScale"/> is their multi-scale configuration.
/// </summary>
public sealed record DetectorOptions
{
    /// <summary>Corners kept per corner type, over all classes (the authors' <c>top_k</c>).</summary>
    public int TopK { get; init; } = 100;

    /// <summary>Largest |tag_tl - tag_br| for two corners to form a box.</summary>
    public float AeThreshold { get; init; } = 0.5f;

    /// <summary>Boxes kept by the decoder per forwarded image, out of TopK² pairs.</summary>
    public int NumDets { get; init; } = 1000;

    /// <summary>Side of the max-pool window that suppresses non-peak heatmap cells; 1 disables it.</summary>
    public int NmsKernel { get; init; } = 3;

    public NmsKind NmsKind { get; init; } = NmsKind.Gaussian;

    /// <summary>Reject corner pairs whose top-left corner lies in the heatmap's first row or column, or whose
    /// bottom-right corner lies in its last row or column (the authors' <c>no_border</c>, which CornerNet-Saccade's test
    /// uses for its views and crops).</summary>
    public bool NoBorder { get; init; }

    /// <summary>IoU threshold of hard and linear NMS (the authors' <c>nms_threshold</c>); Gaussian ignores it.</summary>
    public float NmsThreshold { get; init; } = 0.5f;

    /// <summary>Gaussian soft-NMS divisor: weight = exp(-IoU² / Sigma).</summary>
    public float Sigma { get; init; } = 0.5f;

    /// <summary>Boxes whose score falls below this are discarded.</summary>
    public float ScoreFloor { get; init; } = 0.001f;

    /// <summary>Use soft_nms_merge: each kept box becomes a corner-score-weighted mean of the boxes it suppresses.</summary>
    public bool MergeBoxes { get; init; }

    /// <summary>Exponent of the merge weight (1 - w)^WeightExp; the authors' multi-scale configuration uses 10.</summary>
    public float WeightExp { get; init; } = 10f;

    /// <summary>
    /// Detections kept per image over all classes. As in the authors' code this is a score threshold at the
    /// MaxPerImage-th best score, so boxes tied with it are all kept.
    /// </summary>
    public int MaxPerImage { get; init; } = 100;

    /// <summary>Scales the image is resized by before the forward pass; detections of all scales are pooled.</summary>
    public IReadOnlyList<double> TestScales { get; init; } = [1.0];

    /// <summary>Also forward the horizontal mirror of every image and pool its detections.</summary>
    public bool Flip { get; init; } = true;

    /// <summary>Images whose longer side exceeds this are downscaled first (boxes still come back in original pixels); null disables.</summary>
    public int? MaxLongestSide { get; init; } = 1280;

    /// <summary>Most images (before mirroring) in one forward pass.</summary>
    public int MaxBatchImages { get; init; } = 8;

    /// <summary>Normalise pixels in float32 as CornerNet-Lite does, instead of in double as CornerNet does.</summary>
    public bool NormalizeInFloat32 { get; init; }

    /// <summary>CornerNet-Lite's test settings for CornerNet-Squeeze (configs/CornerNet_Squeeze.json over
    /// core/dbs/detection.py): no flip, top-K 20, 100 candidate pairs, AE threshold 0.5, Gaussian soft-NMS,
    /// 100 per image, float32 normalisation.</summary>
    public static DetectorOptions AuthorsSqueeze { get; } = new()
    {
        TopK = 20,
        NumDets = 100,
        AeThreshold = 0.5f,
        NmsKernel = 3,
        NmsKind = NmsKind.Gaussian,
        NmsThreshold = 0.5f,
        MaxPerImage = 100,
        WeightExp = 8f,
        Flip = false,
        NormalizeInFloat32 = true,
    };

    /// <summary>CornerNet-Lite's test settings for CornerNet-Saccade's decoder and merge (configs/CornerNet_Saccade.json
    /// over core/dbs/detection.py): top-K 12, 12 boxes per view or crop, AE threshold 0.3, no border corners, no flip,
    /// Gaussian soft-NMS with sigma 0.7, 100 per image, float32 normalisation. The zoom settings are
    /// <see cref="Saccade.SaccadeOptions"/>.</summary>
    public static DetectorOptions AuthorsSaccade { get; } = new()
    {
        TopK = 12,
        NumDets = 12,
        AeThreshold = 0.3f,
        NmsKernel = 3,
        NoBorder = true,
        NmsKind = NmsKind.Gaussian,
        NmsThreshold = 0.5f,
        Sigma = 0.7f,
        MaxPerImage = 100,
        WeightExp = 8f,
        Flip = false,
        MaxLongestSide = null,
        NormalizeInFloat32 = true,
    };

    /// <summary>The settings a model runs with before configuration: its family's authors' test settings, then what
    /// its architecture file's <c>test</c> section sets.</summary>
    public static DetectorOptions ForModel(ArchitectureSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = spec.Family switch
        {
            NetworkFamily.Squeeze => AuthorsSqueeze,
            NetworkFamily.Saccade => AuthorsSaccade,
            _ => new DetectorOptions(),
        };
        return spec.Test is { } test ? options.With(test) : options;
    }

    /// <summary>These options with every setting <paramref name="test"/> gives replaced.</summary>
    public DetectorOptions With(TestSettings test)
    {
        ArgumentNullException.ThrowIfNull(test);
        return this with
        {
            TopK = test.TopK ?? TopK,
            NumDets = test.NumDets ?? NumDets,
            AeThreshold = test.AeThreshold ?? AeThreshold,
            NmsKernel = test.NmsKernel ?? NmsKernel,
            NmsKind = test.NmsKind is { } kind ? Enum.Parse<NmsKind>(kind, ignoreCase: true) : NmsKind,
            NmsThreshold = test.NmsThreshold ?? NmsThreshold,
            Sigma = test.Sigma ?? Sigma,
            MergeBoxes = test.MergeBoxes ?? MergeBoxes,
            WeightExp = test.WeightExp ?? WeightExp,
            MaxPerImage = test.MaxPerImage ?? MaxPerImage,
            TestScales = test.TestScales is { } scales ? [.. scales] : TestScales,
            Flip = test.Flip ?? Flip,
            NormalizeInFloat32 = test.Normalization is { } normalization ? normalization == "float32" : NormalizeInFloat32,
        };
    }

    /// <summary>The authors' multi-scale test setting (CornerNet-multi_scale.json).</summary>
    public static DetectorOptions AuthorsMultiScale { get; } = new()
    {
        TestScales = [0.5, 0.75, 1.0, 1.25, 1.5],
        MergeBoxes = true,
        WeightExp = 10f,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public DetectorOptions Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid detector options: {string.Join("; ", problems)}.");
        }

        return this;
    }

    /// <summary>Every invalid setting, each message starting with the setting's name; empty when all are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (TopK < 1) problems.Add($"TopK must be at least 1 (got {TopK})");
        if (NumDets < 1 || (long)NumDets > (long)TopK * TopK) problems.Add($"NumDets must be in 1..TopK² = {(long)TopK * TopK} (got {NumDets})");
        if (!(AeThreshold >= 0)) problems.Add($"AeThreshold must be non-negative (got {AeThreshold})");
        if (NmsKernel < 1 || NmsKernel % 2 == 0) problems.Add($"NmsKernel must be a positive odd number (got {NmsKernel})");
        if (!Enum.IsDefined(NmsKind)) problems.Add($"NmsKind must be one of {string.Join(", ", Enum.GetNames<NmsKind>())} (got {(int)NmsKind})");
        if (!(NmsThreshold >= 0 && NmsThreshold <= 1)) problems.Add($"NmsThreshold must be in 0..1 (got {NmsThreshold})");
        if (!(Sigma > 0)) problems.Add($"Sigma must be positive (got {Sigma})");
        if (!(ScoreFloor >= 0 && ScoreFloor < 1)) problems.Add($"ScoreFloor must be in [0, 1) (got {ScoreFloor})");
        if (!(WeightExp > 0)) problems.Add($"WeightExp must be positive (got {WeightExp})");
        if (MaxPerImage < 1) problems.Add($"MaxPerImage must be at least 1 (got {MaxPerImage})");
        if (TestScales is null || TestScales.Count == 0) problems.Add("TestScales needs at least one scale");
        else if (TestScales.Any(s => !(s > 0) || double.IsInfinity(s) || s > 8)) problems.Add($"TestScales must each be in (0, 8] (got {string.Join(", ", TestScales)})");
        if (MaxLongestSide is < 32) problems.Add($"MaxLongestSide must be at least 32 or null (got {MaxLongestSide})");
        if (MaxBatchImages < 1) problems.Add($"MaxBatchImages must be at least 1 (got {MaxBatchImages})");
        return problems;
    }
}
