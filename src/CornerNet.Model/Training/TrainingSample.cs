namespace CornerNet.Model.Training;

/// <summary>One training sample: normalised input planes [3, H, W] and the targets of the loss.</summary>
public sealed record TrainingSample(float[] Pixels, ImageCornerTargets Targets);
