namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>One of our batch-1 rows (one image with its mirror, as theirs) against the authors' medians: ours / theirs,
/// above 1 ours is slower.</summary>
public sealed record AuthorsRatio(string Precision, int BatchSize, double OurForwardMs, double OurEndToEndMs, double ForwardRatio, double EndToEndRatio);
