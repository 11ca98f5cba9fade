using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CornerNet.LoadGenerator;

/// <summary>
/// Closed-loop load: <c>concurrency</c> clients, each sending its next POST /detect as soon as its previous answer
/// arrives. With a duration, the requests answered inside the measured window are counted; with a request count, the
/// first N requests sent after the warm-up. Requests still in flight at the end are awaited (so the next row starts on
/// an idle service) but not counted. A client refused with Retry-After (503, 429) waits that long before it sends
/// again, as <c>CornerNet.Client</c> and any polite client does; re-sending at once would measure the service
/// answering a storm of refusals instead of detecting.
/// </summary>
public static class ClosedLoopLoad
{
    private static readonly TimeSpan PauseAfterTransportError = TimeSpan.FromMilliseconds(50);

    public static HttpClient CreateClient(Uri baseAddress) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = int.MaxValue,
    })
    {
        BaseAddress = baseAddress,
        // Longer than the service's own 60 s request timeout, so its 504 is what we see.
        Timeout = TimeSpan.FromSeconds(120),
    };

    /// <param name="serviceProcessId">The service's process, when it runs on this machine: its CPU per image is reported.</param>
    public static async Task<HttpLoadResult> RunAsync(HttpClient client, LoadImage image, int concurrency, LoadBudget budget, string mode,
        int maxBatchSize, int? serviceProcessId, CancellationToken cancellationToken)
    {
        var serviceCpuBefore = serviceProcessId is { } before ? ProcessCpu.Of(before) : null;
        var clientCpuBefore = ProcessCpu.Current();
        var answeredOk = 0;
        var started = Stopwatch.GetTimestamp();
        var windowStart = started + Ticks(budget.Warmup);
        long? plannedEnd = budget.Duration is { } duration ? windowStart + Ticks(duration) : null;
        var measured = new ConcurrentQueue<Sample>();
        var counted = 0;
        long lastCountedAt = 0;
        using var enough = new CancellationTokenSource();

        async Task ClientAsync()
        {
            while (!enough.IsCancellationRequested && !(plannedEnd is { } end && Stopwatch.GetTimestamp() >= end))
            {
                var sent = Stopwatch.GetTimestamp();
                var sample = await SendAsync(client, image, cancellationToken);
                var answered = Stopwatch.GetTimestamp();
                if (sample.Error is null) Interlocked.Increment(ref answeredOk);
                // A fixed duration measures the answers inside the window (steady state); a fixed count measures the
                // requests sent after the warm-up, so a short run does not credit the window with warm-up work.
                if ((budget.Requests is null ? answered : sent) < windowStart) continue;
                if (plannedEnd is { } windowEnd && answered > windowEnd) break;
                sample = sample with { LatencyMs = Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds };
                if (budget.Requests is { } wanted)
                {
                    var number = Interlocked.Increment(ref counted);
                    if (number > wanted) break;
                    measured.Enqueue(sample);
                    if (number == wanted)
                    {
                        Interlocked.Exchange(ref lastCountedAt, answered);
                        await enough.CancelAsync();
                    }
                }
                else
                {
                    measured.Enqueue(sample);
                }

                if (sample.Error is not null && sample.StatusCode is null) await Task.Delay(PauseAfterTransportError, cancellationToken);
                if (sample.RetryAfter is { } retryAfter) await WaitBeforeRetryAsync(retryAfter, plannedEnd, cancellationToken);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(ClientAsync, cancellationToken)));
        var seconds = budget.Duration?.TotalSeconds ?? Stopwatch.GetElapsedTime(windowStart, Interlocked.Read(ref lastCountedAt)).TotalSeconds;

        // CPU over the whole row (warm-up and drain included) per image answered in it: every image's work is in it.
        var serviceCpuAfter = serviceProcessId is { } after ? ProcessCpu.Of(after) : null;
        double? PerImage(TimeSpan? cpu) => cpu is { } c && answeredOk > 0 ? c.TotalMilliseconds / answeredOk : null;
        return Summarise(measured.ToArray(), seconds, mode, maxBatchSize, concurrency) with
        {
            ServiceCpuMsPerImage = PerImage(serviceCpuAfter - serviceCpuBefore),
            ClientCpuMsPerImage = PerImage(ProcessCpu.Current() - clientCpuBefore),
        };
    }

    private static HttpLoadResult Summarise(Sample[] samples, double seconds, string mode, int maxBatchSize, int concurrency)
    {
        var ok = samples.Where(s => s.Error is null).ToArray();
        var errorKinds = samples.Where(s => s.Error is not null)
            .GroupBy(s => s.Error!)
            .ToDictionary(g => g.Key, g => g.Count());
        return new HttpLoadResult(
            mode, maxBatchSize, concurrency, samples.Length, samples.Length - ok.Length, errorKinds, seconds,
            seconds > 0 ? ok.Length / seconds : 0,
            LatencySummary.Of(ok.Select(s => s.LatencyMs)),
            ok.Length > 0 ? ok.Average(s => s.BatchSize) : null,
            ok.Length > 0 ? ok.Average(s => s.QueueMs) : null,
            ok.Length > 0 ? ok.Average(s => s.ForwardMs) : null,
            ok.Length > 0 ? ok[0].Detections : null)
        {
            QueueWait = LatencySummary.Of(ok.Select(s => s.QueueMs)),
        };
    }

    private static async Task<Sample> SendAsync(HttpClient client, LoadImage image, CancellationToken cancellationToken)
    {
        try
        {
            // The raw body with the image's type, as the README's curl example; the service also takes multipart.
            using var content = new ByteArrayContent(image.Bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(image.ContentType);
            using var response = await client.PostAsync("/detect", content, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return Sample.Failed($"HTTP {(int)response.StatusCode}", (int)response.StatusCode) with
                {
                    RetryAfter = response.Headers.RetryAfter?.Delta,
                };
            }

            return Parse(body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Sample.Failed($"{e.GetType().Name}: {e.Message}", null);
        }
    }

    /// <summary>A 200 must carry a detection response; its timings tell how the service batched the image.</summary>
    private static Sample Parse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var timings = root.GetProperty("timings");
            return new Sample(0, null, 200,
                timings.GetProperty("batchSize").GetInt32(),
                timings.GetProperty("queueMs").GetDouble(),
                timings.GetProperty("forwardMs").GetDouble(),
                root.GetProperty("detections").GetArrayLength());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Sample.Failed("HTTP 200 without a detection response", 200);
        }
    }

    /// <summary>Waits out a refusal's Retry-After, but not past the end of the measured window.</summary>
    private static Task WaitBeforeRetryAsync(TimeSpan retryAfter, long? plannedEnd, CancellationToken cancellationToken)
    {
        var wait = retryAfter;
        if (plannedEnd is { } end)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end);
            if (left < wait) wait = left;
        }

        return wait > TimeSpan.Zero ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private sealed record Sample(double LatencyMs, string? Error, int? StatusCode, int BatchSize, double QueueMs, double ForwardMs, int Detections)
    {
        /// <summary>How long a refused request was asked to wait (the Retry-After header), when it was.</summary>
        public TimeSpan? RetryAfter { get; init; }

        public static Sample Failed(string error, int? statusCode) => new(0, error, statusCode, 0, 0, 0, 0);
    }
}
