namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>One stage of the authors' run: median and fastest milliseconds, and every timed iteration.</summary>
public sealed record AuthorsStageTiming(double Median, double Min, double[] All);
