namespace CornerNet.Model.Training.Saccade;

/// <summary>
/// One CornerNet-Saccade training sample and how it was made: the input planes and targets, the image scale and the
/// reference object it was drawn for (null index: the image had no objects), the crop, whether it was mirrored, and the
/// boxes in crop pixels (every object left in the crop, in the image's order) with whether the heatmaps learn from each.
/// </summary>
public sealed record SaccadeSample(
    float[] Pixels,
    ImageCornerTargets Targets,
    double Scale,
    int? ReferenceIndex,
    (int Y, int X) Center,
    SaccadeCropWindow Window,
    bool Flipped,
    IReadOnlyList<TrainingBox> Boxes,
    IReadOnlyList<bool> Learnt);
