namespace CornerNet.Training.Commands;

/// <summary>
/// Median milliseconds per image (the image and its mirror) of decoding and NMS on fixed random heads;
/// NmsMs is null where only the decoder was timed.
/// </summary>
public sealed record BenchDecodeRow(string Decoder, string HeadsShape, int Iterations, double DecodeMs, double? NmsMs);
