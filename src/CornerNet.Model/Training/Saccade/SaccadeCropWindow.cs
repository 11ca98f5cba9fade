namespace CornerNet.Model.Training.Saccade;

/// <summary>Where an input-sized crop takes the scaled image (<see cref="SaccadeSampling.CropWindow"/>): the region of the
/// crop holding image (Top, Bottom, Left, Right; ends exclusive), the image's first copied row and column, and the
/// image-to-crop offset.</summary>
public readonly record struct SaccadeCropWindow(int Top, int Bottom, int Left, int Right, int SourceY, int SourceX, int OffsetY, int OffsetX)
{
    public int Height => Bottom - Top;

    public int Width => Right - Left;
}
