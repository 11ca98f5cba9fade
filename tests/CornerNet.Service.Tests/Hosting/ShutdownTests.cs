using System.Net;

namespace CornerNet.Service.Tests.Hosting;

/// <summary>SIGTERM loses no work: what is queued is finished before the process exits.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class ShutdownTests
{
    [Fact]
    public async Task Queued_requests_are_finished_after_sigterm_and_the_process_exits_cleanly()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Batching__MaxBatchSize"] = "1",
            // Admit all four, and give them all the time a loaded machine may need: this is about finishing queued work
            // (what the drain's end does is Reliability/ShutdownDrainTests).
            ["Batching__MaxQueueWaitMs"] = "59000",
            ["Batching__ShutdownDrainSeconds"] = "300",
        });
        using var client = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(3) };
        var large = TestImages.Png(1000, 800);

        var inFlight = await QueuedRequests.SendAsync(client, large, 4);

        service.Process.Terminate();
        Assert.Contains(inFlight, request => !request.IsCompleted);
        var responses = await Task.WhenAll(inFlight);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        Assert.Equal(0, await service.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(service.Process.Lines, l => l.Contains("Application is shutting down"));
    }
}
