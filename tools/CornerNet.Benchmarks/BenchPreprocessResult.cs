namespace CornerNet.Benchmarks;

/// <summary>Median milliseconds to prepare one image and its mirror for the network, without and with JPEG decoding.</summary>
public sealed record BenchPreprocessResult(int Width, int Height, int JpegBytes, int Iterations, double DecodedImageMs, double JpegMs);
