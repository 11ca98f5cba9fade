using CornerNet.Model.Training;

namespace CornerNet.Training.Trainer;

/// <summary>One iteration's inputs made ready off the training thread: normalised pixels [B, 3, H, W] and per-image targets.</summary>
public sealed record PreparedBatch(int Iteration, float[] Pixels, int Height, int Width, IReadOnlyList<ImageCornerTargets> Targets)
{
    public int Size => Targets.Count;
}
