namespace CornerNet.Model.Data;

/// <summary>
/// Matching result of one image, category and area range (pycocotools' evalImgs entry), reduced to what
/// accumulation reads. Detection arrays are [iou threshold * detection count + detection].
/// </summary>
internal sealed class CocoImageEvaluation(double[] scores, bool[] matched, bool[] ignored, int countedGroundTruths)
{
    /// <summary>Scores of the image's detections, highest first, at most the largest maxDets.</summary>
    public double[] Scores { get; } = scores;

    public bool[] Matched { get; } = matched;

    public bool[] Ignored { get; } = ignored;

    /// <summary>Ground truths that are neither crowd nor outside the area range.</summary>
    public int CountedGroundTruths { get; } = countedGroundTruths;
}
