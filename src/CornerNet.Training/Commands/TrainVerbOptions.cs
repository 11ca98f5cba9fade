using CornerNet.Training.Trainer;

namespace CornerNet.Training.Commands;

/// <summary>Settings of one <c>train</c> run in the worker host (see <see cref="TrainVerb"/>).</summary>
public sealed record TrainVerbOptions
{
    public required TrainingOptions Training { get; init; }

    /// <summary>Print a progress line every this many iterations when stdout is not a terminal.</summary>
    public int LogEvery { get; init; } = 10;
}
