using System.Globalization;

namespace CornerNet.LoadGenerator;

/// <summary>The report as one table with its context and the derived figures.</summary>
public static class ReportPrinter
{
    public const double OverheadTarget = 0.05;
    public const double ScalingTarget = 1.5;

    public static readonly string[] Header = ["mode", "concurrency", "requests", "errors", "img/s", "p50 ms", "p95 ms", "p99 ms", "mean batch", "queue p50 ms", "CPU ms/img", "client CPU ms/img"];

    public static void Print(LoadReport report, TextWriter output)
    {
        var m = report.Machine;
        output.WriteLine();
        output.WriteLine($"CornerNet load test, {report.Date.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC");
        output.WriteLine($"machine: {m.Cores} cores ({m.CpuModel}), {m.Runtime}, load average before {Loads(m.LoadAverageBefore)}, after {Loads(m.LoadAverageAfter)}");
        output.WriteLine($"target: {report.Target}; model {report.Model}; libtorch threads {report.TorchThreads} in the service and in-process");
        output.WriteLine($"image: {report.Image}, {report.ImageWidth}x{report.ImageHeight}, {report.ImageBytes} bytes, POSTed to /detect as the raw body");
        output.WriteLine($"closed loop (each client sends again when answered); {report.Budget}");
        output.WriteLine();

        var rows = new List<string[]> { Header };
        foreach (var r in report.Http)
        {
            rows.Add([
                $"batching {r.Mode} (max {r.MaxBatchSize})", Int(r.Concurrency), Int(r.Requests), Int(r.Errors), F(r.ThroughputPerSecond),
                F(r.Latency?.P50Ms, 0), F(r.Latency?.P95Ms, 0), F(r.Latency?.P99Ms, 0), F(r.MeanBatchSize), F(r.QueueWait?.P50Ms),
                F(r.ServiceCpuMsPerImage, 0), F(r.ClientCpuMsPerImage, 1),
            ]);
        }

        foreach (var r in report.InProcess)
        {
            rows.Add([$"in-process, batches of {r.BatchSize}", "-", Int(r.Images), "-", F(r.ThroughputPerSecond),
                F(r.BatchLatency.P50Ms, 0), F(r.BatchLatency.P95Ms, 0), F(r.BatchLatency.P99Ms, 0), Int(r.BatchSize),
                "-", F(r.CpuMsPerImage, 0), "-"]);
        }

        var widths = Enumerable.Range(0, Header.Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        }

        output.WriteLine();
        if (report.InProcess.Count > 0)
        {
            output.WriteLine("in-process: one thread decodes a batch's images (ImageLoader) and runs them through CornerNetDetector, batch after batch:");
            output.WriteLine("  the service's batching worker with a queue that never runs dry, without HTTP, JSON or queueing; its latencies are per batch.");
            output.WriteLine("CPU ms/img: CPU time (all threads) of the service process, or of the in-process reference, per image; client: this program's.");
        }

        output.WriteLine("queue p50 ms: the service's own median queue wait (timings.queueMs), without HTTP or the client.");
        if (report.ServicePeakMemory.Count > 0)
        {
            output.WriteLine("service peak resident memory (VmHWM, after its rows): " + string.Join("; ",
                report.ServicePeakMemory.Select(p => $"batching {p.Mode} {(p.PeakResidentMegabytes is { } mb ? mb.ToString("F0", CultureInfo.InvariantCulture) + " MiB" : "unknown")}")));
        }

        var errors = report.Http.Where(r => r.Errors > 0).ToList();
        foreach (var r in errors)
        {
            output.WriteLine($"ERRORS, batching {r.Mode} at concurrency {r.Concurrency}: {string.Join(", ", r.ErrorKinds.Select(e => $"{e.Value} x {e.Key}"))}");
        }

        if (report.Overhead is { } overhead)
        {
            output.WriteLine($"HTTP overhead at saturation (batching on, concurrency {report.SaturationConcurrency}, against in-process batches): " +
                             $"{Percent(overhead)} (target at most {Percent(OverheadTarget)}: {(overhead <= OverheadTarget ? "met" : "NOT met")})");
        }

        if (report.OverheadBatchingOff is { } overheadOff)
        {
            output.WriteLine($"HTTP overhead at saturation, batching off, against in-process batches of 1: {Percent(overheadOff)}");
        }

        var lowest = report.Http.Count > 0 ? report.Http.Min(r => r.Concurrency) : 0;
        if (report.ScalingBatchingOn is { } scaling)
        {
            output.WriteLine($"throughput at concurrency {report.SaturationConcurrency} over concurrency {lowest}, batching on: {F(scaling)}x " +
                             $"(target at least {F(ScalingTarget)}x: {(scaling >= ScalingTarget ? "met" : "NOT met")})");
        }

        if (report.ScalingBatchingOff is { } scalingOff)
        {
            output.WriteLine($"throughput at concurrency {report.SaturationConcurrency} over concurrency {lowest}, batching off: {F(scalingOff)}x");
        }

        foreach (var note in report.Notes) output.WriteLine($"note: {note}");
    }

    private static string Loads(double[]? loads) => loads is null ? "unknown" : string.Join(" ", loads.Select(l => l.ToString("F2", CultureInfo.InvariantCulture)));

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double? value, int decimals = 2) => value is { } v ? v.ToString("F" + decimals, CultureInfo.InvariantCulture) : "-";

    private static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";
}
