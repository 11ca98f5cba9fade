using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Service.Tests.Api;

namespace CornerNet.Service.Tests.Batching;

/// <summary>Real Kestrel on a loopback port: batching, overload and cancellation as clients see them.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class ConcurrencyTests
{
    private static ByteArrayContent Raw(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task Parallel_requests_are_batched_and_each_gets_its_own_result()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MaxBatchSize"] = "8",
            ["Batching:MaxDelayMs"] = "100",
            // All 32 are admitted and queued together; batch sizes are not measured, so 8 is the cap.
            ["Batching:MaxQueueWaitMs"] = "59000",
            ["Batching:MeasureBatchSizes"] = "false",
        }, realPort: true);
        using var client = await factory.CreateReadyClientAsync();
        Assert.Equal("http", client.BaseAddress!.Scheme);
        Assert.NotEqual(80, client.BaseAddress.Port);

        // Same size, different content: one canvas, so they can share batches.
        var images = Enumerable.Range(0, 32).Select(seed => TestImages.Png(80, 60, seed)).ToArray();
        var alone = new JsonElement[images.Length];
        for (var i = 0; i < images.Length; i++)
        {
            alone[i] = await (await client.PostAsync("/detect", Raw(images[i]))).Content.ReadFromJsonAsync<JsonElement>();
        }

        var before = await MetricsSnapshot.ReadAsync(client);
        var together = await Task.WhenAll(images.Select(async image =>
        {
            var response = await client.PostAsync("/detect", Raw(image));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }));
        var after = await MetricsSnapshot.ReadAsync(client);

        var batches = after["cornernet_batch_size_count"] - before["cornernet_batch_size_count"];
        var singles = after["cornernet_batch_size_bucket{le=\"1\"}"] - before["cornernet_batch_size_bucket{le=\"1\"}"];
        Assert.Equal(32, after["cornernet_images_processed_total"] - before["cornernet_images_processed_total"]);
        Assert.True(batches < 32 && batches - singles > 0, $"{batches} batches for 32 images, {singles} of size 1");
        Assert.Contains(together, r => r.GetProperty("timings").GetProperty("batchSize").GetInt32() > 1);
        for (var i = 0; i < images.Length; i++)
        {
            DetectApiTests.AssertSameDetections(alone[i].GetProperty("detections"), together[i].GetProperty("detections"));
        }
    }

    [Fact]
    public async Task Overload_is_answered_503_at_once_and_the_service_keeps_serving()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MaxBatchSize"] = "1",
            ["Batching:QueueCapacity"] = "2",
        }, realPort: true);
        using var client = await factory.CreateReadyClientAsync();
        var big = TestImages.Png(900, 700);

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => client.PostAsync("/detect", Raw(big))));
        var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(busy);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.All(busy, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After {r.Headers.RetryAfter}"));
        Assert.Equal("application/problem+json", busy[0].Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/detect", Raw(TestImages.Png(40, 40)))).StatusCode);
    }

    private static async Task WaitForQueuedAsync(HttpClient client, double total)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await MetricsSnapshot.ReadAsync(client))["cornernet_images_queued_total"] < total)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{total} images were never queued");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_never_reaches_the_model()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MaxBatchSize"] = "1",
            ["Batching:MaxDelayMs"] = "0",
            ["Batching:MaxQueueWaitMs"] = "59000",
            // This is about cancellation, not deadlines: the large image may take a loaded machine a minute.
            ["Batching:RequestTimeoutSeconds"] = "600",
        }, realPort: true);
        using var client = await factory.CreateReadyClientAsync();
        var before = await MetricsSnapshot.ReadAsync(client);

        // While the model works on a large image (capped at 1280 pixels: still seconds of work), a small one joins the queue behind it and its client gives up.
        var busy = new[] { client.PostAsync("/detect", Raw(TestImages.Png(1600, 1200))) };
        await WaitForQueuedAsync(client, before["cornernet_images_queued_total"] + busy.Length);
        // A client that goes away resets its connection (a half-close after a complete request is not "gone" to HTTP/1.1).
        using var resetting = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
                {
                    LingerState = new System.Net.Sockets.LingerOption(true, 0),
                };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var leaving = new HttpClient(resetting) { BaseAddress = client.BaseAddress };
        using (var giveUp = new CancellationTokenSource())
        {
            var abandoned = leaving.PostAsync("/detect", Raw(TestImages.Png(50, 50)), giveUp.Token);
            await WaitForQueuedAsync(client, before["cornernet_images_queued_total"] + busy.Length + 1);
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }

        Assert.All(await Task.WhenAll(busy), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        // The worker drops the abandoned job when it reaches it: after the big one, before any other work.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/detect", Raw(TestImages.Png(30, 30)))).StatusCode);
        var after = await MetricsSnapshot.ReadAsync(client);

        var processed = after["cornernet_images_processed_total"] - before["cornernet_images_processed_total"];
        var dropped = after["cornernet_dropped_jobs_total{reason=\"client_gone\"}"] - before["cornernet_dropped_jobs_total{reason=\"client_gone\"}"];
        Assert.True(processed == 2 && dropped == 1, $"processed {processed} (expected 2), dropped {dropped} (expected 1)");
        Assert.Equal(1, after["cornernet_dropped_jobs_total{reason=\"client_gone\"}"] - before["cornernet_dropped_jobs_total{reason=\"client_gone\"}"]);
    }
}
