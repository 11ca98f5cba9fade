namespace CornerNet.Model.Data;

/// <summary>
/// One drawn shape of a synthetic image. A pixel belongs to the topmost shape covering at least half of it;
/// <see cref="Box"/> is the tight box of the pixels that still belong to this shape after later shapes were drawn.
/// </summary>
public sealed record SyntheticShape(long CategoryId, CocoBox Box, int VisiblePixels, int DrawnPixels, bool IsAnnotated)
{
    public double VisibleFraction => DrawnPixels == 0 ? 0 : (double)VisiblePixels / DrawnPixels;
}
