namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>Which BLAS the authors' PyTorch ran with: openblas, mkl, blis, reference, other or none, and the
/// libraries mapped into their process.</summary>
public sealed record AuthorsBlas(string Kind, IReadOnlyList<string>? Libraries);
