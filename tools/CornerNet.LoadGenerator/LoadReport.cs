namespace CornerNet.LoadGenerator;

/// <summary>Everything one run measured (written with --json).</summary>
public sealed record LoadReport
{
    public required DateTimeOffset Date { get; init; }

    public required MachineInfo Machine { get; init; }

    /// <summary>libtorch threads, the same in the service (Batching:InferenceThreads) and in-process.</summary>
    public required int TorchThreads { get; init; }

    /// <summary>The started service's dll, or the URL of the running service.</summary>
    public required string Target { get; init; }

    public required string Model { get; init; }

    public required string Image { get; init; }

    public required int ImageWidth { get; init; }

    public required int ImageHeight { get; init; }

    public required int ImageBytes { get; init; }

    public required string Budget { get; init; }

    public required IReadOnlyList<HttpLoadResult> Http { get; init; }

    public required IReadOnlyList<InProcessResult> InProcess { get; init; }

    /// <summary>The started service's peak resident memory (VmHWM) per batching mode, read after its last row.</summary>
    public IReadOnlyList<ServicePeakMemory> ServicePeakMemory { get; init; } = [];

    /// <summary>The highest concurrency run.</summary>
    public required int SaturationConcurrency { get; init; }

    /// <summary>1 - HTTP throughput (batching on, highest concurrency) / in-process throughput (batches of the same cap).</summary>
    public double? Overhead { get; init; }

    /// <summary>The same with batching off against in-process batches of one.</summary>
    public double? OverheadBatchingOff { get; init; }

    /// <summary>HTTP throughput at the highest concurrency over that at the lowest, batching on.</summary>
    public double? ScalingBatchingOn { get; init; }

    public double? ScalingBatchingOff { get; init; }

    public int TotalErrors => Http.Sum(r => r.Errors);

    public IReadOnlyList<string> Notes { get; init; } = [];
}

public sealed record MachineInfo(int Cores, string CpuModel, string Runtime, double[]? LoadAverageBefore, double[]? LoadAverageAfter)
{
    public static string Cpu()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Other work on the machine skews every number here; the load averages say how much there was.</summary>
    public static double[]? LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
                .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
