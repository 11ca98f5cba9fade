namespace CornerNet.Training.OfflineDetection;

/// <summary>The journal on disk belongs to a <c>detect</c> run with other settings or another image list.</summary>
public sealed class JournalMismatchException(string message) : Exception(message);
