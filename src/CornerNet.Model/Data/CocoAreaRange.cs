namespace CornerNet.Model.Data;

/// <summary>An object-area range of COCO evaluation; both ends are inclusive, as in pycocotools.</summary>
public sealed record CocoAreaRange(string Label, double Min, double Max)
{
    public bool Contains(double area) => area >= Min && area <= Max;
}
