using System.Text.Json;
using CornerNet.Tools.Common;
using Xunit.Abstractions;

namespace CornerNet.Tools.Tests.LoadGenerator;

/// <summary>
/// The load generator (tools/CornerNet.LoadGenerator) run as its command against the real service it starts: briefly, so
/// the numbers only have to be sane, but every request must have been answered and accounted for.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class LoadGeneratorTests(ITestOutputHelper output)
{
    private const int RequestsPerRow = 4;

    [Fact]
    public async Task A_short_run_reports_sane_numbers_and_no_errors()
    {
        var json = Path.Combine(Path.GetTempPath(), $"loadgen-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, stdout) = await RunAsync(
                "--concurrency", "1,2", "--requests", $"{RequestsPerRow}", "--warmup", "0.5", "--startup-warmup", "1", "--in-process-warmup-calls", "2", "--json", json,
                // Closed-loop rows count every answer; on a loaded machine two clients can expect more than the default
                // queue wait and be refused (admission, docs/operating.md): admit them all here.
                "--set", "Batching:MaxQueueWaitMs=59000");

            Assert.True(exitCode == 0, $"exit code {exitCode}");
            Assert.Contains("img/s", stdout);
            Assert.Contains("batching on (max 4)", stdout);
            Assert.Contains("batching off (max 1)", stdout);
            Assert.Contains("in-process, batches of 4", stdout);

            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = report.RootElement;
            var rows = root.GetProperty("http").EnumerateArray().ToList();
            Assert.Equal(["on/1", "on/2", "off/1", "off/2"], rows.Select(r => $"{r.GetProperty("mode").GetString()}/{r.GetProperty("concurrency").GetInt32()}"));
            foreach (var row in rows)
            {
                var name = $"{row.GetProperty("mode").GetString()} at concurrency {row.GetProperty("concurrency").GetInt32()}";
                Assert.True(row.GetProperty("errors").GetInt32() == 0, $"{name}: {row.GetProperty("errorKinds")}");
                Assert.Equal(RequestsPerRow, row.GetProperty("requests").GetInt32());
                var throughput = row.GetProperty("throughputPerSecond").GetDouble();
                var latency = row.GetProperty("latency");
                double p50 = latency.GetProperty("p50Ms").GetDouble(), p95 = latency.GetProperty("p95Ms").GetDouble();
                double p99 = latency.GetProperty("p99Ms").GetDouble(), mean = latency.GetProperty("meanMs").GetDouble();
                Assert.True(throughput is > 0 and < 1000, $"{name}: {throughput} img/s");
                Assert.True(p50 > 0 && p50 <= p95 && p95 <= p99 && p99 <= latency.GetProperty("maxMs").GetDouble(), $"{name}: percentiles {p50}, {p95}, {p99}");

                // Closed loop (Little's law): clients x requests per second ≈ 1000 / mean latency in ms; a unit or
                // window mistake is off by far more than this margin.
                var busyClients = throughput * mean / 1000;
                var concurrency = row.GetProperty("concurrency").GetInt32();
                Assert.True(busyClients > 0.4 * concurrency && busyClients < 1.6 * concurrency, $"{name}: {throughput} img/s x {mean} ms = {busyClients} busy clients");

                // The service's own account of how it ran each image: batching off really ran them one by one.
                var meanBatch = row.GetProperty("meanBatchSize").GetDouble();
                Assert.True(row.GetProperty("mode").GetString() == "off" ? meanBatch == 1 : meanBatch is >= 1 and <= 4, $"{name}: mean batch {meanBatch}");
                Assert.True(row.GetProperty("detectionsPerImage").GetInt32() > 0, $"{name}: the demo model found nothing in the held-out image");
                Assert.True(row.GetProperty("serviceCpuMsPerImage").GetDouble() > 0, $"{name}: no service CPU time");
            }

            var inProcess = root.GetProperty("inProcess").EnumerateArray().ToList();
            Assert.Equal([4, 1], inProcess.Select(r => r.GetProperty("batchSize").GetInt32()));
            Assert.All(inProcess, r => Assert.True(r.GetProperty("throughputPerSecond").GetDouble() > 0 && r.GetProperty("images").GetInt32() >= RequestsPerRow));
            Assert.True(root.GetProperty("overhead").GetDouble() is > -10 and < 1);
            Assert.True(root.GetProperty("scalingBatchingOn").GetDouble() > 0);
            Assert.Equal(0, root.GetProperty("totalErrors").GetInt32());
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task Failed_requests_are_counted_reported_and_fail_the_run()
    {
        // The 128x128 image is above this pixel limit, so every request gets 422.
        var (exitCode, stdout) = await RunAsync(
            "--modes", "on", "--concurrency", "1", "--requests", "3", "--warmup", "0", "--startup-warmup", "0", "--skip-in-process", "--set", "Limits:MaxPixels=1000");

        Assert.Equal(1, exitCode);
        Assert.Contains("ERRORS, batching on at concurrency 1: 3 x HTTP 422", stdout);
    }

    [Fact]
    public async Task Random_weights_of_a_preset_are_served_and_run_in_process_on_a_generated_jpeg()
    {
        var json = Path.Combine(Path.GetTempPath(), $"loadgen-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, stdout) = await RunAsync(
                "--modes", "on", "--concurrency", "1", "--requests", "2", "--warmup", "0", "--startup-warmup", "0", "--in-process-warmup-calls", "1",
                "--random-weights", "--set", "Model:Architecture=tiny", "--image-size", "96x64", "--json", json, "--set", "Batching:MaxQueueWaitMs=59000");

            Assert.True(exitCode == 0, $"exit code {exitCode}");
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = report.RootElement;
            Assert.Equal(96, root.GetProperty("imageWidth").GetInt32());
            Assert.Equal(64, root.GetProperty("imageHeight").GetInt32());
            Assert.StartsWith("generated 96x64 picture, JPEG", root.GetProperty("image").GetString(), StringComparison.Ordinal);
            // Both sides loaded the written checkpoint and its architecture file, which are gone after the run.
            var model = root.GetProperty("model").GetString()!;
            Assert.Matches(@"random-tiny\.pth \(.*random-tiny\.json\)$", model);
            Assert.False(File.Exists(model[..model.IndexOf(" (", StringComparison.Ordinal)]), model);
            Assert.Contains(root.GetProperty("notes").EnumerateArray(), n => n.GetString()!.StartsWith("Random weights of tiny", StringComparison.Ordinal));
            var row = Assert.Single(root.GetProperty("http").EnumerateArray());
            Assert.Equal(0, row.GetProperty("errors").GetInt32());
            Assert.Equal(2, row.GetProperty("requests").GetInt32());
            Assert.True(Assert.Single(root.GetProperty("inProcess").EnumerateArray()).GetProperty("images").GetInt32() >= 2);
        }
        finally
        {
            File.Delete(json);
        }
    }

    private async Task<(int ExitCode, string Stdout)> RunAsync(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunDotnetAsync(
            Path.Combine(AppContext.BaseDirectory, "CornerNet.LoadGenerator.dll"), arguments, TimeSpan.FromSeconds(300));
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        return (exitCode, stdout);
    }
}
