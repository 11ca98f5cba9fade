namespace CornerNet.Training.Trainer;

/// <summary>Training data that cannot be used (missing or undecodable image, empty image list); the message names the file or entry.</summary>
public sealed class TrainingDataException(string message, Exception? inner = null) : Exception(message, inner);
