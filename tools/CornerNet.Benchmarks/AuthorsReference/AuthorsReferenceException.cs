namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>The side-by-side run could not be done; the message says why.</summary>
public sealed class AuthorsReferenceException(string message) : Exception(message);
