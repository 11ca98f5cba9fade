namespace CornerNet.Model.Data;

/// <summary>
/// One ground-truth object of a COCO file's "annotations" array. <see cref="Area"/> is the file's
/// own area field (the segmentation area in real COCO), which is what the area ranges of evaluation use.
/// </summary>
public sealed record CocoAnnotation(long Id, long ImageId, long CategoryId, CocoBox Box, double Area, bool IsCrowd);
