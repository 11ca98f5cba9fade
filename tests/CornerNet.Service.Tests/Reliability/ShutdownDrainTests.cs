using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CornerNet.Service.Batching;

namespace CornerNet.Service.Tests.Reliability;

/// <summary>
/// SIGTERM with more queued work than Batching:ShutdownDrainSeconds allows: no client is reset; what could not run is
/// answered 503 with a problem document; the exit code says work was abandoned.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
[Trait(TestCategories.Category, TestCategories.External)]
public sealed class ShutdownDrainTests
{
    [Fact]
    public async Task Work_that_cannot_finish_within_the_drain_is_answered_503_and_the_exit_code_says_so()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Batching__MaxBatchSize"] = "1",
            ["Batching__ShutdownDrainSeconds"] = "1",
            // Admit everything: this is about what shutdown does with a long queue.
            ["Batching__MaxQueueWaitMs"] = "59000",
        });
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(3) };
        // Each takes the fixture model a fraction of a second or more: twelve are more than a 1 s drain, and one is far
        // less than the 15 s the host gives a running batch after it.
        var large = TestImages.Png(640, 480);
        var inFlight = await QueuedRequests.SendAsync(client, large, 12);

        service.Process.Terminate();

        // Every request gets an answer: no connection reset.
        var responses = await Task.WhenAll(inFlight);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        foreach (var response in refused)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("shutting down", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.Equal(ShutdownDrain.WorkAbandonedExitCode, await service.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(service.Process.Lines, l => l.Contains("could not be run within Batching:ShutdownDrainSeconds"));
    }

    [Fact]
    public async Task A_batch_still_running_after_the_drain_and_its_grace_has_its_requests_answered_503_not_reset()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Batching__MaxBatchSize"] = "1",
            ["Batching__ShutdownDrainSeconds"] = "0",
            ["Batching__ShutdownBatchGraceSeconds"] = "1",
            // One image the fixture model takes several seconds over: run at its full 3000 x 2250.
            ["Pipeline__MaxLongestSide"] = "3000",
        });
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(3) };
        var content = new ByteArrayContent(TestImages.Png(3000, 2250));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var running = client.PostAsync("/detect", content);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await MetricsSnapshot.ReadAsync(client))["cornernet_images_queued_total"] < 1)
        {
            Assert.True(DateTime.UtcNow < deadline && !running.IsCompleted, "the request was never queued");
            await Task.Delay(10);
        }

        // An image that finds the model idle runs at once: it is in its forward pass now.
        await Task.Delay(300);
        var stopped = Stopwatch.StartNew();
        service.Process.Terminate();

        using var response = await running;
        stopped.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("shutting down", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(response.Headers.RetryAfter);
        // Answered when the grace ran out, not when the batch ended or the host gave up on the connection.
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(4), $"answered {stopped.Elapsed.TotalSeconds:F1} s after SIGTERM");

        Assert.Equal(ShutdownDrain.WorkAbandonedExitCode, await service.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(service.Process.Lines, l => l.Contains("was still running", StringComparison.Ordinal));
    }
}
