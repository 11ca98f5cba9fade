namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>How one piece of the authors' code was provided: its kind, why, and the module file used.</summary>
public sealed record AuthorsComponent(string Kind, string? Detail, string? Module);
