using CornerNet.Model.Inference;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Configuration;

/// <summary>
/// The detection pipeline's test-time settings (<see cref="DetectorOptions"/>) from configuration. The model brings its
/// own (its family's authors' settings and its architecture file's "test" section, <see cref="DetectorOptions.ForModel"/>);
/// each setting given here replaces the model's, and a setting left out keeps it.
/// </summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    /// <summary>Corners kept per corner type, over all classes.</summary>
    public int? TopK { get; set; }

    /// <summary>Largest embedding distance for two corners to form a box.</summary>
    public float? AeThreshold { get; set; }

    /// <summary>Boxes kept by the decoder per forwarded image.</summary>
    public int? NumDets { get; set; }

    /// <summary>Max-pool window suppressing non-peak heatmap cells (odd; 1 disables it).</summary>
    public int? NmsKernel { get; set; }

    /// <summary>Hard, Linear or Gaussian.</summary>
    public NmsKind? NmsKind { get; set; }

    /// <summary>IoU threshold of hard and linear NMS.</summary>
    public float? NmsThreshold { get; set; }

    /// <summary>Gaussian soft-NMS divisor.</summary>
    public float? Sigma { get; set; }

    /// <summary>Boxes scoring below this are discarded.</summary>
    public float? ScoreFloor { get; set; }

    /// <summary>Merge suppressed boxes into the kept one (soft_nms_merge).</summary>
    public bool? MergeBoxes { get; set; }

    /// <summary>Exponent of the merge weight.</summary>
    public float? WeightExp { get; set; }

    /// <summary>Detections kept per image over all classes.</summary>
    public int? MaxPerImage { get; set; }

    /// <summary>Scales the image is run at. (No default array here: the configuration binder appends to an array's
    /// initial items instead of replacing them.)</summary>
    public double[]? TestScales { get; set; }

    /// <summary>Also run every image's mirror.</summary>
    public bool? Flip { get; set; }

    /// <summary>Longer sides above this are downscaled first.</summary>
    public int? MaxLongestSide { get; set; }

    /// <summary>Most images (before mirroring) in one forward pass.</summary>
    public int? MaxBatchImages { get; set; }

    /// <summary>Normalise pixels in float32 (CornerNet-Lite) instead of double (CornerNet).</summary>
    public bool? NormalizeInFloat32 { get; set; }

    public PipelineOverrides ToOverrides() => new()
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
        TestScales = TestScales,
        Flip = Flip,
        MaxLongestSide = MaxLongestSide,
        MaxBatchImages = MaxBatchImages,
        NormalizeInFloat32 = NormalizeInFloat32,
    };

    /// <summary>These settings over <paramref name="modelDefaults"/> (by default CornerNet's); not validated.</summary>
    public DetectorOptions ToDetectorOptions(DetectorOptions? modelDefaults = null) => ToOverrides().ApplyTo(modelDefaults ?? new DetectorOptions());
}

/// <summary>The pipeline's own rules (<see cref="DetectorOptions.Problems"/>), each reported as <c>Pipeline:Setting ...</c>.
/// A setting is refused at start-up when it breaks a rule over every family's defaults; a combination that only one
/// model's settings break is reported when that model loads.</summary>
public sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var hourglass = options.ToDetectorOptions(new DetectorOptions()).Problems();
        var squeeze = options.ToDetectorOptions(DetectorOptions.AuthorsSqueeze).Problems();
        var problems = hourglass.Count == 0 || squeeze.Count == 0 ? [] : hourglass;
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"{PipelineOptions.Section}:{p}."));
    }
}
