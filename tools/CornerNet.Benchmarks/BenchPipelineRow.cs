namespace CornerNet.Benchmarks;

/// <summary>Median milliseconds per image of each detector stage for one precision and batch size;
/// <paramref name="Tuning"/> says how the network was prepared (see InferenceTuning). <paramref name="CpuMs"/>: the
/// process's CPU time (all threads) per image over the timed calls, which other work on the machine inflates less
/// than the wall-clock columns. <paramref name="CropsPerImage"/>: CornerNet-Saccade's zoom crops per image (null for the
/// other families).</summary>
public sealed record BenchPipelineRow(
    string Architecture, int BatchSize, int Threads, double PreprocessMs, double ForwardMs, double DecodeMs, double NmsMs, double EndToEndMs,
    string Precision = "fp32", string Tuning = "", double? CpuMs = null, double? CropsPerImage = null);
