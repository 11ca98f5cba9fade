using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Xunit.Abstractions;

namespace CornerNet.Service.Tests.Hosting;

/// <summary>A long-running server that leaks tensors or buffers is broken: memory must stay flat under load.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class SoakTests(ITestOutputHelper output)
{
    // Resident memory rises over the first requests and then stays flat, except for rare steps. malloc keeps what is
    // freed (Inference:ReuseFreedMemory), so it rises until each of its arenas holds its peak (with eight arenas per
    // core that took about 1 600 requests; with one per core, as now, fewer), and a new mix of batched image sizes can
    // need a larger working set once. A leak grows in every phase; a step grows in one.
    private const int WarmUpRequests = 2400;
    private const int Phases = 8;
    private const int SoakRequests = 1600;
    private const int Concurrency = 8;

    [Fact]
    public async Task Thousands_of_requests_keep_memory_flat()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MaxDelayMs"] = "2",
            // Every request is admitted: this is about memory, and eight clients can expect more than the default
            // 200 ms queue wait on a loaded machine.
            ["Batching:MaxQueueWaitMs"] = "59000",
        });
        using var client = await factory.CreateReadyClientAsync();
        var images = Enumerable.Range(0, 16).Select(seed => TestImages.Png(48 + seed, 40, seed)).ToArray();

        await SendAsync(client, images, WarmUpRequests);
        var before = SettledMemory();
        var started = Stopwatch.StartNew();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var resident = new List<long> { before };
        for (var phase = 1; phase <= Phases; phase++)
        {
            await SendAsync(client, images, SoakRequests / Phases);
            resident.Add(SettledMemory());
            output.WriteLine($"after {phase * SoakRequests / Phases}: {resident[^1] / 1048576.0:F0} MB resident, {GC.GetTotalMemory(false) / 1048576.0:F1} MB managed");
        }

        var elapsed = started.Elapsed;
        var managedGrowthMb = (GC.GetTotalMemory(forceFullCollection: true) - managedBefore) / 1048576.0;
        var growthMb = (resident[^1] - before) / 1048576.0;
        var phaseGrowthMb = resident.Zip(resident.Skip(1), (a, b) => (b - a) / 1048576.0).Order().ToArray();
        var medianPhaseGrowthMb = (phaseGrowthMb[Phases / 2 - 1] + phaseGrowthMb[Phases / 2]) / 2;
        output.WriteLine($"{SoakRequests} requests in {elapsed.TotalSeconds:F1} s; resident memory {before / 1048576.0:F0} MB -> {resident[^1] / 1048576.0:F0} MB ({growthMb:+0.0;-0.0} MB), median per phase {medianPhaseGrowthMb:+0.0;-0.0} MB");

        // One leaked input tensor per request alone would be 200 x 387 KB = 77 MB per phase; 20 KB per request, 4 MB.
        Assert.True(medianPhaseGrowthMb < 4, $"resident memory grew by a median {medianPhaseGrowthMb:F1} MB per {SoakRequests / Phases} requests");
        Assert.True(growthMb < 96, $"resident memory grew by {growthMb:F1} MB over {SoakRequests} requests");
        Assert.True(managedGrowthMb < 8, $"managed heap grew by {managedGrowthMb:F1} MB over {SoakRequests} requests");
    }

    private static async Task SendAsync(HttpClient client, byte[][] images, int count)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var content = new ByteArrayContent(images[i % images.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                using var response = await client.PostAsync("/detect", content);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }));
    }

    private static long SettledMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
