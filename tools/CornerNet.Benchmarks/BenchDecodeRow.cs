namespace CornerNet.Benchmarks;

/// <summary>
/// Median milliseconds per image (the image and its mirror) of decoding and NMS on fixed random heads;
/// NmsMs is null where only the decoder was timed. FastestMs is the quickest iteration (decode + NMS), a
/// better guide than the median on a machine shared with other work.
/// </summary>
public sealed record BenchDecodeRow(string Decoder, string HeadsShape, int Iterations, double DecodeMs, double? NmsMs, double FastestMs);
