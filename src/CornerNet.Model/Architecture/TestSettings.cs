namespace CornerNet.Model.Architecture;

/// <summary>
/// Test-pipeline settings that travel with a model in its architecture file (<c>"test": {...}</c>). Each one is
/// optional: an absent setting keeps the default of the model's family (see
/// <c>CornerNet.Model.Inference.DetectorOptions.ForModel</c>). Names are those of the pipeline options.
/// </summary>
public sealed record TestSettings
{
    public int? TopK { get; init; }

    public int? NumDets { get; init; }

    public float? AeThreshold { get; init; }

    public int? NmsKernel { get; init; }

    /// <summary>"hard", "linear" or "gaussian".</summary>
    public string? NmsKind { get; init; }

    public float? NmsThreshold { get; init; }

    public float? Sigma { get; init; }

    public bool? MergeBoxes { get; init; }

    public float? WeightExp { get; init; }

    public int? MaxPerImage { get; init; }

    public double[]? TestScales { get; init; }

    public bool? Flip { get; init; }

    /// <summary>"float32" (CornerNet-Lite: pixel / 255 - mean, / std in float32) or "float64" (CornerNet: in double).</summary>
    public string? Normalization { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (NmsKind is not null && !Enum.TryParse<Inference.NmsKind>(NmsKind, ignoreCase: true, out _))
        {
            yield return $"test.nmsKind must be \"hard\", \"linear\" or \"gaussian\" (got \"{NmsKind}\")";
        }

        if (Normalization is not null && Normalization is not ("float32" or "float64"))
        {
            yield return $"test.normalization must be \"float32\" or \"float64\" (got \"{Normalization}\")";
        }
    }
}
