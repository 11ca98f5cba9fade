namespace CornerNet.Model.Training.Saccade;

/// <summary>
/// CornerNet-Saccade's training-sample settings; defaults are the authors' (configs/CornerNet_Saccade.json over
/// core/dbs/detection.py, and the constants of core/sample/cornernet_saccade.py).
/// </summary>
public sealed record SaccadeSamplingOptions
{
    /// <summary>The image scales drawn for an image without objects: <c>np.arange(0.5, 1.1, 0.1)</c> (seven values, the
    /// last about 1.1), CornerNet_Saccade.json's rand_scale_min/max/step.</summary>
    public double[] RandomScales { get; init; } = AugmentationOptions.NumpyArange(0.5, 1.1, 0.1);

    /// <summary>Half of the crops are centred near the reference object, the rest placed anywhere that holds it
    /// (the authors' <c>rand_center</c>).</summary>
    public bool RandomCenter { get; init; } = true;

    /// <summary>A centred crop's centre moves by up to this many pixels less one each way (<c>np.random.randint(0, 15)</c>).</summary>
    public int CenterJitter { get; init; } = 15;

    /// <summary>Objects whose longer side (of truncated corners) is shorter than this are not learnt from: their corners
    /// are left out of the heatmap loss (<c>min_scale</c>).</summary>
    public int MinScale { get; init; } = 16;

    /// <summary>Objects that keep at most this fraction of their area in the crop are not learnt from either.</summary>
    public double MinVisibleArea { get; init; } = 0.5;

    /// <summary>Object sizes (longer side in input pixels, both ends included) that each attention map marks, coarsest
    /// map first (<c>att_ranges</c>).</summary>
    public double[][] AttentionRanges { get; init; } = [[96, 256], [32, 96], [0, 32]];

    /// <summary>Minimum IoU of the Gaussian around a corner (<c>gaussian_iou</c>: 0.5 for CornerNet-Saccade, 0.3 for
    /// CornerNet).</summary>
    public double GaussianMinOverlap { get; init; } = 0.5;

    public SaccadeSamplingOptions Validate(int attentionMaps)
    {
        var problems = new List<string>();
        if (RandomScales is null || RandomScales.Length == 0 || RandomScales.Any(s => !(s > 0))) problems.Add("RandomScales needs at least one positive value");
        if (CenterJitter < 1) problems.Add($"CenterJitter must be at least 1 (got {CenterJitter})");
        if (MinScale < 0) problems.Add($"MinScale must not be negative (got {MinScale})");
        if (MinVisibleArea is < 0 or >= 1) problems.Add($"MinVisibleArea must lie in [0, 1) (got {MinVisibleArea})");
        if (AttentionRanges is null || AttentionRanges.Length != attentionMaps || AttentionRanges.Any(r => r is null || r.Length != 2 || r[0] > r[1]))
        {
            problems.Add($"AttentionRanges needs {attentionMaps} [low, high] pairs, one per attention map");
        }

        if (GaussianMinOverlap is <= 0 or >= 1) problems.Add($"GaussianMinOverlap must lie in (0, 1) (got {GaussianMinOverlap})");
        if (problems.Count > 0) throw new ArgumentException($"Invalid saccade sampling options: {string.Join("; ", problems)}.");
        return this;
    }
}
