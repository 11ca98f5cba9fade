using System.Diagnostics;
using System.Net.Http.Headers;

namespace CornerNet.Tools.Common;

/// <summary>What one request of an open-loop run got.</summary>
/// <param name="Status">The HTTP status, or null when the request failed in transport (reset, refused, timed out).</param>
/// <param name="RetryAfter">The Retry-After header of a 503, if any.</param>
/// <param name="ContentType">The response's media type.</param>
/// <param name="Error">The transport failure, if any.</param>
public sealed record OpenLoopSample(TimeSpan SentAt, TimeSpan Latency, int? Status, TimeSpan? RetryAfter, string? ContentType, string? Error);

/// <summary>
/// Open-loop load: requests sent at a fixed rate whatever the answers (clients that do not slow down when the service
/// does, as the internet's do), so that overload is real. Every answer is awaited and recorded; used by the load
/// generator's overload row and the reliability tests.
/// </summary>
public static class OpenLoopLoad
{
    /// <param name="path">Where to POST (e.g. /detect).</param>
    /// <param name="body">Makes a fresh request body for each request.</param>
    public static async Task<IReadOnlyList<OpenLoopSample>> RunAsync(HttpClient client, string path, Func<HttpContent> body,
        double requestsPerSecond, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        var count = (int)Math.Max(1, Math.Round(requestsPerSecond * duration.TotalSeconds));
        var interval = TimeSpan.FromSeconds(1 / requestsPerSecond);
        var started = Stopwatch.GetTimestamp();
        var pending = new List<Task<OpenLoopSample>>(count);
        for (var i = 0; i < count; i++)
        {
            var due = interval * i;
            var wait = due - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
            pending.Add(SendAsync(client, path, body(), Stopwatch.GetElapsedTime(started), cancellationToken));
        }

        return await Task.WhenAll(pending);
    }

    private static async Task<OpenLoopSample> SendAsync(HttpClient client, string path, HttpContent content, TimeSpan sentAt, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using (content)
            using (var response = await client.PostAsync(path, content, cancellationToken))
            {
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                return new OpenLoopSample(sentAt, Stopwatch.GetElapsedTime(sent), (int)response.StatusCode,
                    response.Headers.RetryAfter?.Delta, response.Content.Headers.ContentType?.MediaType, null);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new OpenLoopSample(sentAt, Stopwatch.GetElapsedTime(sent), null, null, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A raw image body with its media type.</summary>
    public static Func<HttpContent> Image(byte[] bytes, string contentType) => () =>
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    };
}
