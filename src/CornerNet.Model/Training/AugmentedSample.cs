namespace CornerNet.Model.Training;

/// <summary>
/// One augmented training image: normalised planes [3, Height, Width] (channel order per the options) and its boxes in
/// those pixels, already clipped and filtered.
/// </summary>
public sealed record AugmentedSample(float[] Pixels, int Height, int Width, IReadOnlyList<TrainingBox> Boxes)
{
    /// <summary>The crop scale drawn (1 when the whole image was used).</summary>
    public double Scale { get; init; } = 1;

    public bool Flipped { get; init; }
}
