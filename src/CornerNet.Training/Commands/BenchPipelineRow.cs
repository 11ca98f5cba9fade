namespace CornerNet.Training.Commands;

/// <summary>Median milliseconds per image of each detector stage for one batch size.</summary>
public sealed record BenchPipelineRow(
    string Architecture, int BatchSize, int Threads, double PreprocessMs, double ForwardMs, double DecodeMs, double NmsMs, double EndToEndMs);
