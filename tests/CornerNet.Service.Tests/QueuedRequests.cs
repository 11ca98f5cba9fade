using System.Net.Http.Headers;

namespace CornerNet.Service.Tests;

/// <summary>Requests a test leaves queued in a real service process (for shutdown tests).</summary>
internal static class QueuedRequests
{
    /// <summary>Posts <paramref name="count"/> copies of a PNG to /detect and returns once the service has accepted them
    /// all (cornernet_images_queued_total), the requests still in flight.</summary>
    public static async Task<Task<HttpResponseMessage>[]> SendAsync(HttpClient client, byte[] png, int count)
    {
        var inFlight = Enumerable.Range(0, count).Select(_ =>
        {
            var content = new ByteArrayContent(png);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            return client.PostAsync("/detect", content);
        }).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await MetricsSnapshot.ReadAsync(client))["cornernet_images_queued_total"] < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the requests were never all queued");
            await Task.Delay(10);
        }

        return inFlight;
    }
}
