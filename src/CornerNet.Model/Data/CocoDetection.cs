namespace CornerNet.Model.Data;

/// <summary>One entry of a COCO results file: a scored box for one image and category.</summary>
public sealed record CocoDetection(long ImageId, long CategoryId, CocoBox Box, double Score);
