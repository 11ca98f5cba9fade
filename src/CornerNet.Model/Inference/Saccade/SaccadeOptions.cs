namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// CornerNet-Saccade's test-time settings beyond the decoder's (configs/CornerNet_Saccade.json over
/// core/dbs/detection.py). Every default is the authors' value.
/// </summary>
public sealed record SaccadeOptions
{
    /// <summary>Longer side of each downsized view of the whole image (the authors' <c>init_sizes</c>).</summary>
    public IReadOnlyList<int> ViewSizes { get; init; } = [192, 255];

    /// <summary>Attention values above this propose a zoom location (<c>att_thresholds[0]</c>).</summary>
    public float AttentionThreshold { get; init; } = 0.3f;

    /// <summary>Zoom factor per attention map, coarsest map first (<c>att_scales[0]</c>): objects of 96-256, 32-96 and
    /// 0-32 pixels in the view.</summary>
    public IReadOnlyList<double> AttentionScales { get; init; } = [1, 2, 4];

    /// <summary>Side of the max-pool window that keeps only attention peaks (<c>att_nms_ks</c>).</summary>
    public int AttentionNmsKernel { get; init; } = 3;

    /// <summary>Most crops per image (<c>att_max_crops</c>).</summary>
    public int MaxCrops { get; init; } = 30;

    /// <summary>Also zoom on the views' confident detections (<c>ref_dets</c>).</summary>
    public bool ReferenceDetections { get; init; } = true;

    /// <summary>Views' detections scoring above this are kept and, above <see cref="ReferenceScore"/>, zoomed on.</summary>
    public float ViewScoreFloor { get; init; } = 0.3f;

    /// <summary>Detections scoring above this give reference locations.</summary>
    public float ReferenceScore { get; init; } = 0.5f;

    /// <summary>Location NMS distance in crop pixels (divided by the location's scale).</summary>
    public double LocationNmsDistance { get; init; } = 16;

    /// <summary>Most crops in one forward pass (the authors' batch_decode uses 32).</summary>
    public int CropBatch { get; init; } = 32;

    /// <summary>The network's square input side (the authors' <c>input_size</c>).</summary>
    public int InputSize { get; init; } = 255;

    /// <summary>Every invalid setting; empty when all are valid.</summary>
    public IReadOnlyList<string> Problems(int attentionMaps)
    {
        var problems = new List<string>();
        if (ViewSizes is null || ViewSizes.Count == 0 || ViewSizes.Any(s => s < 1)) problems.Add("ViewSizes needs at least one positive size");
        if (!(AttentionThreshold >= 0 && AttentionThreshold < 1)) problems.Add($"AttentionThreshold must be in [0, 1) (got {AttentionThreshold})");
        if (AttentionScales is null || AttentionScales.Count != attentionMaps || AttentionScales.Any(s => !(s > 0))) problems.Add($"AttentionScales needs {attentionMaps} positive entries, one per attention map");
        if (AttentionNmsKernel < 1 || AttentionNmsKernel % 2 == 0) problems.Add($"AttentionNmsKernel must be a positive odd number (got {AttentionNmsKernel})");
        if (MaxCrops < 0) problems.Add($"MaxCrops must be non-negative (got {MaxCrops})");
        if (CropBatch < 1) problems.Add($"CropBatch must be at least 1 (got {CropBatch})");
        if (InputSize < 16) problems.Add($"InputSize must be at least 16 (got {InputSize})");
        return problems;
    }
}
