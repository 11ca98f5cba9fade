namespace CornerNet.Training.Trainer;

/// <summary>One finished iteration: loss parts (already weighted), the learning rate used and the run's pace.</summary>
public sealed record TrainingProgress(
    int Iteration,
    int TotalIterations,
    double LearningRate,
    double Total,
    double Focal,
    double Pull,
    double Push,
    double Offset,
    double ElapsedSeconds,
    double IterationsPerSecond)
{
    /// <summary>CornerNet-Saccade's attention focal loss (0 for the other families).</summary>
    public double Attention { get; init; }

    /// <summary>Estimated seconds to the end at the current pace.</summary>
    public double EtaSeconds => IterationsPerSecond > 0 ? (TotalIterations - Iteration) / IterationsPerSecond : double.PositiveInfinity;
}
