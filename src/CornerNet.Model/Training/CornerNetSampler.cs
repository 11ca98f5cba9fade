namespace CornerNet.Model.Training;

/// <summary>CornerNet's and CornerNet-Squeeze's sampler (the authors' <c>kp_detection</c>/<c>cornernet</c>): the
/// augmenter's random crop, flip and colour, then the corner targets of every box.</summary>
public sealed class CornerNetSampler(TrainingAugmenter augmenter, CornerTargetBuilder targets) : ITrainingSampler
{
    private readonly TrainingAugmenter _augmenter = augmenter ?? throw new ArgumentNullException(nameof(augmenter));
    private readonly CornerTargetBuilder _targets = targets ?? throw new ArgumentNullException(nameof(targets));

    public int InputHeight => _augmenter.Options.InputHeight;

    public int InputWidth => _augmenter.Options.InputWidth;

    public TrainingSample Sample(ReadOnlySpan<byte> bgr, int width, int height, IReadOnlyList<TrainingBox> boxes, Random random)
    {
        var sample = _augmenter.Augment(bgr, width, height, boxes, random);
        return new TrainingSample(sample.Pixels, _targets.Build(sample.Boxes));
    }
}
