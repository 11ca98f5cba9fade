namespace CornerNet.Training.Trainer;

/// <summary>How a run ended: iterations done, whether it was cancelled, and where its weights are.</summary>
public sealed record TrainingResult(int StartIteration, int CompletedIterations, bool Interrupted, string? LastCheckpoint, string? FinalWeightsPath, double Seconds);
