using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace CornerNet.Service.Tests.Batching;

/// <summary>Batching:RequestTimeoutSeconds is one deadline per request, and images dropped for it are counted as timeouts.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class DeadlineTests
{
    private static string Dropped(string reason) => $"cornernet_dropped_jobs_total{{reason=\"{reason}\"}}";

    [Fact]
    public async Task Requests_past_their_deadline_get_504_and_their_queued_images_count_as_timeouts_not_clients_gone()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:RequestTimeoutSeconds"] = "1",
            ["Batching:MaxBatchSize"] = "1",
            // Admit them all, so that they wait past their deadline.
            ["Batching:MaxQueueWaitMs"] = "999",
        });
        using var client = await factory.CreateReadyClientAsync();
        var large = TestImages.Png(1600, 1200);
        var before = await MetricsSnapshot.ReadAsync(client);

        // One image runs at a time, each for well over a second: most of these wait past their deadline.
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
        {
            var content = new ByteArrayContent(large);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            return client.PostAsync("/detect", content);
        }));

        var timedOut = responses.Count(r => r.StatusCode == HttpStatusCode.GatewayTimeout);
        Assert.True(timedOut >= 1, string.Join(", ", responses.Select(r => (int)r.StatusCode)));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.GatewayTimeout }));

        // The worker drops the timed-out requests' images when it reaches them.
        var deadline = Stopwatch.StartNew();
        MetricsSnapshot after;
        do
        {
            await Task.Delay(200);
            after = await MetricsSnapshot.ReadAsync(client);
        }
        while (after[Dropped("timeout")] - before[Dropped("timeout")] < 1 && deadline.Elapsed < TimeSpan.FromSeconds(60));

        var timeouts = after[Dropped("timeout")] - before[Dropped("timeout")];
        Assert.InRange(timeouts, 1, timedOut);
        Assert.Equal(0, after[Dropped("client_gone")] - before[Dropped("client_gone")]);
    }

    [Fact]
    public async Task A_batch_request_is_answered_within_one_deadline_not_one_per_image()
    {
        var large = TestImages.Png(1600, 1200);
        ByteArrayContent Image()
        {
            var content = new ByteArrayContent(large);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            return content;
        }

        // How long one image takes here, warm.
        TimeSpan single;
        await using (var measuring = new ServiceFactory())
        {
            using var client = await measuring.CreateReadyClientAsync();
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/detect", Image())).StatusCode);
            var watch = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/detect", Image())).StatusCode);
            single = watch.Elapsed;
        }

        // A deadline each image alone meets (twice its time), but ten images one after another do not.
        var timeoutSeconds = (int)Math.Ceiling(2 * single.TotalSeconds);
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:RequestTimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Batching:MaxBatchSize"] = "1",
            ["Batching:MaxQueueWaitMs"] = "999",
        });
        using var batchClient = await factory.CreateReadyClientAsync();
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 10; i++) form.Add(Image(), "images", $"image{i}.png");

        var elapsed = Stopwatch.StartNew();
        using var response = await batchClient.PostAsync("/detect/batch", form);
        elapsed.Stop();

        // A window per image would wait for all ten (each within its own window) and answer 200.
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(timeoutSeconds) + 3 * single,
            $"answered after {elapsed.Elapsed.TotalSeconds:F1} s; deadline {timeoutSeconds} s, one image {single.TotalSeconds:F1} s");
    }
}
