namespace CornerNet.Model.Inference;

/// <summary>
/// Pipeline settings from configuration (<c>Pipeline:*</c>). Each is optional: what is set replaces the model's own
/// setting (<see cref="DetectorOptions.ForModel"/>), what is not set leaves it as the model brings it.
/// </summary>
public sealed record PipelineOverrides
{
    public int? TopK { get; init; }

    public float? AeThreshold { get; init; }

    public int? NumDets { get; init; }

    public int? NmsKernel { get; init; }

    public NmsKind? NmsKind { get; init; }

    public float? NmsThreshold { get; init; }

    public float? Sigma { get; init; }

    public float? ScoreFloor { get; init; }

    public bool? MergeBoxes { get; init; }

    public float? WeightExp { get; init; }

    public int? MaxPerImage { get; init; }

    public double[]? TestScales { get; init; }

    public bool? Flip { get; init; }

    public int? MaxLongestSide { get; init; }

    public int? MaxBatchImages { get; init; }

    public bool? NormalizeInFloat32 { get; init; }

    /// <summary><paramref name="options"/> with every setting given here replaced (not validated).</summary>
    public DetectorOptions ApplyTo(DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (options with
        {
            TopK = TopK ?? options.TopK,
            AeThreshold = AeThreshold ?? options.AeThreshold,
            NumDets = NumDets ?? options.NumDets,
            NmsKernel = NmsKernel ?? options.NmsKernel,
            NmsKind = NmsKind ?? options.NmsKind,
            NmsThreshold = NmsThreshold ?? options.NmsThreshold,
            Sigma = Sigma ?? options.Sigma,
            ScoreFloor = ScoreFloor ?? options.ScoreFloor,
            MergeBoxes = MergeBoxes ?? options.MergeBoxes,
            WeightExp = WeightExp ?? options.WeightExp,
            MaxPerImage = MaxPerImage ?? options.MaxPerImage,
            TestScales = TestScales is { Length: > 0 } scales ? [.. scales] : options.TestScales,
            Flip = Flip ?? options.Flip,
            MaxLongestSide = MaxLongestSide ?? options.MaxLongestSide,
            MaxBatchImages = MaxBatchImages ?? options.MaxBatchImages,
            NormalizeInFloat32 = NormalizeInFloat32 ?? options.NormalizeInFloat32,
        });
    }
}
