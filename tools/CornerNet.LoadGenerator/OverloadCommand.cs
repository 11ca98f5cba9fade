using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CornerNet.Tools.Common;

namespace CornerNet.LoadGenerator;

/// <summary>
/// The <c>overload</c> verb: in one run against one service (started with the settings given, or at --url), the idle
/// latency (one closed-loop client), the capacity (closed-loop clients at saturation), then open-loop load at a
/// multiple of that capacity: how the admitted requests fare against idle, how fast and how the excess is refused.
/// </summary>
public static class OverloadCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "Load an already-running service instead of starting one." };
        var image = new Option<string?>("--image") { Description = "Image to POST (default: the held-out synthetic 128x128 PNG)." };
        var factor = new Option<double>("--factor") { Description = "Open-loop rate as a multiple of the measured capacity.", DefaultValueFactory = _ => 2 };
        var duration = new Option<double>("--duration") { Description = "Seconds of open-loop overload.", DefaultValueFactory = _ => 30 };
        var phase = new Option<double>("--phase") { Description = "Seconds each of warm-up, idle and capacity measurement.", DefaultValueFactory = _ => 10 };
        var saturation = new Option<int>("--saturation") { Description = "Closed-loop clients for the capacity measurement.", DefaultValueFactory = _ => 8 };
        var threads = new Option<int>("--threads") { Description = "Batching:InferenceThreads of the started service.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var set = new Option<string[]>("--set") { Description = "Extra configuration of the started service, KEY=VALUE; repeatable." };
        var json = new Option<string?>("--json") { Description = "Also write the results to this JSON file." };
        var command = new Command("overload", "Idle latency, capacity, then open-loop load at --factor x capacity: admitted latency against idle, refusals and their speed.")
        {
            url, image, factor, duration, phase, saturation, threads, set, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loadImage = parse.GetValue(image) is { } path ? LoadImage.FromFile(path) : LoadImage.HeldOutSynthetic();
            var overrides = LoadSettings.ParseOverrides(parse.GetValue(set) ?? []);
            var settings = ServiceSettings.For(LoadCommand.RepositoryRoot, overrides, parse.GetValue(threads), maxBatchSize: null);
            var phaseLength = TimeSpan.FromSeconds(parse.GetValue(phase));
            ServiceChildProcess? service = null;
            try
            {
                Uri address;
                if (parse.GetValue(url) is { } given)
                {
                    address = new Uri(given);
                }
                else
                {
                    Console.WriteLine($"starting the service (Batching:MaxBatchSize={settings.Batching.MaxBatchSize}, Batching:MaxQueueWaitMs={(settings.Batching.MaxQueueWaitMs is { } wait ? wait.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unset")})");
                    service = await ServiceChildProcess.StartAsync(new ServiceLaunch(Path.Combine(AppContext.BaseDirectory, "CornerNet.Service.dll"), LoadCommand.RepositoryRoot)
                    {
                        Settings = settings.Overrides,
                        ReadyTimeout = TimeSpan.FromSeconds(120),
                        KeptLines = 200,
                    }, cancellationToken);
                    address = service.Address;
                }

                var report = await RunAsync(address, loadImage, parse.GetValue(factor), TimeSpan.FromSeconds(parse.GetValue(duration)), phaseLength,
                    parse.GetValue(saturation), settings.Batching.RequestTimeoutSeconds, cancellationToken);
                Print(report, Console.Out);
                if (parse.GetValue(json) is { } jsonPath)
                {
                    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, LoadCommand.JsonOptions), cancellationToken);
                }

                return report.TransportErrors > 0 ? LoadCommand.RequestsFailed : 0;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException or FormatException)
            {
                Console.Error.WriteLine($"loadgen overload: {e.Message}");
                return LoadCommand.Unusable;
            }
            finally
            {
                if (service is not null) await service.DisposeAsync();
            }
        });
        return command;
    }

    public static async Task<OverloadReport> RunAsync(Uri address, LoadImage image, double factor, TimeSpan duration, TimeSpan phase,
        int saturation, int requestTimeoutSeconds, CancellationToken cancellationToken)
    {
        var loadBefore = MachineInfo.LoadAverage();
        using var client = ClosedLoopLoad.CreateClient(address);
        var unmeasured = new LoadBudget(TimeSpan.Zero, phase, null, TimeSpan.Zero);
        var measured = new LoadBudget(TimeSpan.FromSeconds(2), phase, null, TimeSpan.Zero);
        Console.WriteLine("warm-up");
        await ClosedLoopLoad.RunAsync(client, image, saturation, unmeasured, "warm-up", 0, null, cancellationToken);
        Console.WriteLine("idle: one client");
        var idle = await ClosedLoopLoad.RunAsync(client, image, 1, measured, "idle", 0, null, cancellationToken);
        Console.WriteLine($"capacity: {saturation} clients");
        var capacity = await ClosedLoopLoad.RunAsync(client, image, saturation, measured, "capacity", 0, null, cancellationToken);
        var rate = factor * capacity.ThroughputPerSecond;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overload: {rate:F1} requests/s for {duration.TotalSeconds:F0} s ({factor:0.#}x {capacity.ThroughputPerSecond:F1} img/s)"));
        var samples = await OpenLoopLoad.RunAsync(client, "/detect", OpenLoopLoad.Image(image.Bytes, image.ContentType), rate, duration, cancellationToken);

        var admitted = samples.Where(s => s.Status == 200).ToList();
        var refused = samples.Where(s => s.Status == 503).ToList();
        return new OverloadReport(
            DateTimeOffset.UtcNow, loadBefore, MachineInfo.LoadAverage(), image.Description, factor, rate, duration.TotalSeconds,
            idle.Latency, capacity.ThroughputPerSecond, samples.Count,
            admitted.Count, LatencySummary.Of(admitted.Select(s => s.Latency.TotalMilliseconds)),
            refused.Count, LatencySummary.Of(refused.Select(s => s.Latency.TotalMilliseconds)),
            refused.Count(s => s.RetryAfter is null),
            refused.Where(s => s.RetryAfter is not null).Select(s => s.RetryAfter!.Value.TotalSeconds).DefaultIfEmpty().Max(),
            samples.Where(s => s.Status is not (200 or 503) && s.Status is not null).GroupBy(s => s.Status!.Value).ToDictionary(g => g.Key.ToString(CultureInfo.InvariantCulture), g => g.Count()),
            samples.Count(s => s.Status is null),
            samples.Count == 0 ? 0 : samples.Max(s => s.Latency.TotalMilliseconds),
            requestTimeoutSeconds);
    }

    public static void Print(OverloadReport r, TextWriter output)
    {
        string Ms(double? value) => value is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) : "-";
        string Load(double[]? l) => l is null ? "?" : string.Join(" ", l.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));
        output.WriteLine();
        output.WriteLine($"{r.Image}; load average {Load(r.LoadAverageBefore)} before, {Load(r.LoadAverageAfter)} after");
        output.WriteLine("| phase | requests | img/s | p50 ms | p95 ms | p99 ms | max ms |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        output.WriteLine($"| idle (1 client) | {r.IdleLatency?.Count} | - | {Ms(r.IdleLatency?.P50Ms)} | {Ms(r.IdleLatency?.P95Ms)} | {Ms(r.IdleLatency?.P99Ms)} | {Ms(r.IdleLatency?.MaxMs)} |");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| capacity (closed loop) | - | {r.CapacityPerSecond:F1} | - | - | - | - |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| overload {r.Factor:0.#}x admitted (200) | {r.Admitted} | {r.Admitted / r.DurationSeconds:F1} | {Ms(r.AdmittedLatency?.P50Ms)} | {Ms(r.AdmittedLatency?.P95Ms)} | {Ms(r.AdmittedLatency?.P99Ms)} | {Ms(r.AdmittedLatency?.MaxMs)} |"));
        output.WriteLine($"| overload refused (503) | {r.Refused} | - | {Ms(r.RefusedLatency?.P50Ms)} | {Ms(r.RefusedLatency?.P95Ms)} | {Ms(r.RefusedLatency?.P99Ms)} | {Ms(r.RefusedLatency?.MaxMs)} |");
        output.WriteLine();
        var ratio = r.AdmittedLatency?.P99Ms / r.IdleLatency?.P99Ms;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"admitted p99 / idle p99: {ratio:F2} (target <= 2); refusals: p99 {Ms(r.RefusedLatency?.P99Ms)} ms, max {Ms(r.RefusedLatency?.MaxMs)} ms (target < 50), {r.RefusedWithoutRetryAfter} without Retry-After, Retry-After up to {r.MaxRetryAfterSeconds:F0} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"slowest answer {r.SlowestMs / 1000:F2} s (deadline {r.RequestTimeoutSeconds} s + 1 s); other statuses: {(r.OtherStatuses.Count == 0 ? "none" : string.Join(", ", r.OtherStatuses.Select(k => $"{k.Key} x{k.Value}")))}; transport errors: {r.TransportErrors}"));
    }
}

/// <summary>What <see cref="OverloadCommand"/> measured.</summary>
public sealed record OverloadReport(
    DateTimeOffset Date,
    double[]? LoadAverageBefore,
    double[]? LoadAverageAfter,
    string Image,
    double Factor,
    double RequestsPerSecond,
    double DurationSeconds,
    LatencySummary? IdleLatency,
    double CapacityPerSecond,
    int Requests,
    int Admitted,
    LatencySummary? AdmittedLatency,
    int Refused,
    LatencySummary? RefusedLatency,
    int RefusedWithoutRetryAfter,
    double MaxRetryAfterSeconds,
    IReadOnlyDictionary<string, int> OtherStatuses,
    int TransportErrors,
    double SlowestMs,
    int RequestTimeoutSeconds);
