namespace CornerNet.Model.Data;

/// <summary>One entry of a COCO file's "categories" array.</summary>
public sealed record CocoCategory(long Id, string Name);
