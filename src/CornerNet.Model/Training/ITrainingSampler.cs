namespace CornerNet.Model.Training;

/// <summary>Turns one decoded training image and its boxes into the network's input and the targets of the loss: the
/// authors' sampler of a network family (<see cref="TrainingSamplers.For"/>). Implementations are immutable, so one
/// instance serves every loader thread; all randomness comes from the <see cref="Random"/> passed in.</summary>
public interface ITrainingSampler
{
    int InputHeight { get; }

    int InputWidth { get; }

    /// <summary>One sample of an image given as height x width x 3 bytes (B, G, R), boxes in its pixels.</summary>
    TrainingSample Sample(ReadOnlySpan<byte> bgr, int width, int height, IReadOnlyList<TrainingBox> boxes, Random random);
}
