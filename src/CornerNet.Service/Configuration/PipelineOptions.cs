using CornerNet.Model.Inference;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Configuration;

/// <summary>The detection pipeline's test-time settings (<see cref="DetectorOptions"/>); each defaults to the
/// authors' value.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    private static readonly DetectorOptions Authors = new();

    /// <summary>Corners kept per corner type, over all classes.</summary>
    public int TopK { get; set; } = Authors.TopK;

    /// <summary>Largest embedding distance for two corners to form a box.</summary>
    public float AeThreshold { get; set; } = Authors.AeThreshold;

    /// <summary>Boxes kept by the decoder per forwarded image.</summary>
    public int NumDets { get; set; } = Authors.NumDets;

    /// <summary>Max-pool window suppressing non-peak heatmap cells (odd; 1 disables it).</summary>
    public int NmsKernel { get; set; } = Authors.NmsKernel;

    /// <summary>Hard, Linear or Gaussian.</summary>
    public NmsKind NmsKind { get; set; } = Authors.NmsKind;

    /// <summary>IoU threshold of hard and linear NMS.</summary>
    public float NmsThreshold { get; set; } = Authors.NmsThreshold;

    /// <summary>Gaussian soft-NMS divisor.</summary>
    public float Sigma { get; set; } = Authors.Sigma;

    /// <summary>Boxes scoring below this are discarded.</summary>
    public float ScoreFloor { get; set; } = Authors.ScoreFloor;

    /// <summary>Merge suppressed boxes into the kept one (soft_nms_merge).</summary>
    public bool MergeBoxes { get; set; } = Authors.MergeBoxes;

    /// <summary>Exponent of the merge weight.</summary>
    public float WeightExp { get; set; } = Authors.WeightExp;

    /// <summary>Detections kept per image over all classes.</summary>
    public int MaxPerImage { get; set; } = Authors.MaxPerImage;

    /// <summary>Scales the image is run at; unset means the authors' single scale, 1. (No default array here: the
    /// configuration binder appends to an array's initial items instead of replacing them.)</summary>
    public double[]? TestScales { get; set; }

    /// <summary>Also run every image's mirror.</summary>
    public bool Flip { get; set; } = Authors.Flip;

    /// <summary>Longer sides above this are downscaled first; null disables.</summary>
    public int? MaxLongestSide { get; set; } = Authors.MaxLongestSide;

    /// <summary>Most images (before mirroring) in one forward pass.</summary>
    public int MaxBatchImages { get; set; } = Authors.MaxBatchImages;

    public DetectorOptions ToDetectorOptions() => new()
    {
        TopK = TopK,
        AeThreshold = AeThreshold,
        NumDets = NumDets,
        NmsKernel = NmsKernel,
        NmsKind = NmsKind,
        NmsThreshold = NmsThreshold,
        Sigma = Sigma,
        ScoreFloor = ScoreFloor,
        MergeBoxes = MergeBoxes,
        WeightExp = WeightExp,
        MaxPerImage = MaxPerImage,
        TestScales = TestScales is { Length: > 0 } scales ? [.. scales] : Authors.TestScales,
        Flip = Flip,
        MaxLongestSide = MaxLongestSide,
        MaxBatchImages = MaxBatchImages,
    };
}

/// <summary>The pipeline's own rules (<see cref="DetectorOptions.Problems"/>), each reported as <c>Pipeline:Setting ...</c>.</summary>
public sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var problems = options.ToDetectorOptions().Problems();
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"{PipelineOptions.Section}:{p}."));
    }
}
