namespace CornerNet.Benchmarks;

/// <summary>Median milliseconds per image of each detector stage for one precision and batch size;
/// <paramref name="Tuning"/> says how the network was prepared (see InferenceTuning).</summary>
public sealed record BenchPipelineRow(
    string Architecture, int BatchSize, int Threads, double PreprocessMs, double ForwardMs, double DecodeMs, double NmsMs, double EndToEndMs,
    string Precision = "fp32", string Tuning = "");
