using CornerNet.Model.Architecture;
using CornerNet.Model.Training.Saccade;

namespace CornerNet.Model.Training;

/// <summary>The sampler the authors train a network family with.</summary>
public static class TrainingSamplers
{
    /// <summary>CornerNet-Saccade's for the saccade family (<see cref="SaccadeSampler"/>), CornerNet's otherwise;
    /// <paramref name="augmentation"/> (null: the authors' for the network) sets input size, colour and normalisation.</summary>
    public static ITrainingSampler For(ArchitectureSpec spec, AugmentationOptions? augmentation = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = augmentation ?? AugmentationOptions.FromSpec(spec);
        return spec.Family == NetworkFamily.Saccade
            ? new SaccadeSampler(spec, options)
            : new CornerNetSampler(new TrainingAugmenter(options), CornerTargetBuilder.FromSpec(spec));
    }
}
