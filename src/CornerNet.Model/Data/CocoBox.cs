namespace CornerNet.Model.Data;

/// <summary>An axis-aligned box in COCO's [x, y, width, height] form, in pixels.</summary>
public readonly record struct CocoBox(double X, double Y, double Width, double Height)
{
    /// <summary>Width times height, the area pycocotools gives a detection (no +1).</summary>
    public double Area => Width * Height;

    public double Right => X + Width;

    public double Bottom => Y + Height;
}
