using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CornerNet.Service.Tests.Reliability;

/// <summary>
/// Admission in the real host with images that take the fixture model about a second each (one image per batch): the
/// default limit follows the model's time per image, an explicit Batching:MaxQueueWaitMs is kept, and a multi-image
/// request is admitted or refused as a whole.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class AdmissionTests
{
    private static readonly byte[] Large = TestImages.Png(1600, 1200);

    private static ByteArrayContent Png(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private static async Task<HttpClient> WarmClientAsync(ServiceFactory factory)
    {
        var client = await factory.CreateReadyClientAsync();
        // One image run, so the service knows how long an image takes.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/detect", Png(Large))).StatusCode);
        return client;
    }

    /// <summary>Sends <paramref name="count"/> large images one after another, each once the previous is queued.</summary>
    private static async Task<List<Task<HttpResponseMessage>>> QueueOneByOneAsync(HttpClient client, int count)
    {
        var sent = new List<Task<HttpResponseMessage>>();
        var queued = (await MetricsSnapshot.ReadAsync(client))["cornernet_images_queued_total"];
        for (var i = 0; i < count; i++)
        {
            sent.Add(client.PostAsync("/detect", Png(Large)));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await MetricsSnapshot.ReadAsync(client))["cornernet_images_queued_total"] < queued + i + 1)
            {
                Assert.True(DateTime.UtcNow < deadline, $"request {i} was never queued");
                if (sent[^1].IsCompleted) Assert.Fail($"request {i} was answered {(await sent[^1]).StatusCode} without being queued");
                await Task.Delay(10);
            }
        }

        return sent;
    }

    [Fact]
    public async Task Unset_the_limit_admits_one_request_behind_a_slow_image_and_refuses_the_next_with_retry_after()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?> { ["Batching:MaxBatchSize"] = "1" });
        using var client = await WarmClientAsync(factory);

        // One running, one waiting behind it: both admitted although an image takes far more than 200 ms.
        var admitted = await QueueOneByOneAsync(client, 2);
        using var third = await client.PostAsync("/detect", Png(Large));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter?.Delta);
        var problem = await third.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("as Batching:MaxQueueWaitMs is unset", problem.GetProperty("detail").GetString());
        Assert.All(await Task.WhenAll(admitted), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task An_explicit_limit_is_kept_and_refuses_a_request_behind_a_slow_image()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MaxBatchSize"] = "1",
            ["Batching:MaxQueueWaitMs"] = "200",
        });
        using var client = await WarmClientAsync(factory);

        var running = await QueueOneByOneAsync(client, 1);
        using var second = await client.PostAsync("/detect", Png(Large));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("longer than Batching:MaxQueueWaitMs (200 ms)", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await running[0]).StatusCode);
    }

    [Fact]
    public async Task A_batch_request_without_room_for_all_its_images_is_refused_whole_and_none_of_its_images_runs()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MaxBatchSize"] = "1",
            ["Batching:QueueCapacity"] = "3",
            ["Batching:MaxQueueWaitMs"] = "59000",
        });
        using var client = await WarmClientAsync(factory);

        var start = await MetricsSnapshot.ReadAsync(client);
        // One running and two waiting: room for one more image, not two.
        var ahead = await QueueOneByOneAsync(client, 3);
        var before = await MetricsSnapshot.ReadAsync(client);
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 2; i++) form.Add(Png(TestImages.Png(64, 48, seed: i)), "images", $"small{i}.png");
        using var refused = await client.PostAsync("/detect/batch", form);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Batching:QueueCapacity", problem.GetProperty("detail").GetString());
        Assert.All(await Task.WhenAll(ahead), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // Not one of its images was queued or run: the only images processed are the three ahead (counted just after
        // their answers, so waited for).
        double Processed(MetricsSnapshot m) => m["cornernet_images_processed_total"] - start["cornernet_images_processed_total"];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Processed(await MetricsSnapshot.ReadAsync(client)) < 3 && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(500);
        var after = await MetricsSnapshot.ReadAsync(client);
        Assert.Equal(before["cornernet_images_queued_total"], after["cornernet_images_queued_total"]);
        Assert.Equal(1, after["cornernet_rejected_requests_total{reason=\"queue_full\"}"] - before["cornernet_rejected_requests_total{reason=\"queue_full\"}"]);
        Assert.Equal(3, Processed(after));
    }

    [Fact]
    public async Task A_batch_request_is_admitted_whole_by_the_wait_ahead_of_it_not_the_time_of_its_own_images()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MaxBatchSize"] = "1",
            ["Batching:MaxQueueWaitMs"] = "200",
        });
        using var client = await WarmClientAsync(factory);
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 3; i++) form.Add(Png(Large), "images", $"large{i}.png");

        // Three images of about a second each, on an idle service: nothing waits ahead of them, so it is admitted.
        using var response = await client.PostAsync("/detect/batch", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, body.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task A_batch_request_with_more_images_than_the_queue_holds_is_422_not_a_503_it_could_retry_forever()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?> { ["Batching:QueueCapacity"] = "2" });
        using var client = await factory.CreateReadyClientAsync();
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 3; i++) form.Add(Png(TestImages.Png(32, 24, seed: i)), "images", $"small{i}.png");

        using var response = await client.PostAsync("/detect/batch", form);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Batching:QueueCapacity 2", problem.GetProperty("detail").GetString());
    }
}
