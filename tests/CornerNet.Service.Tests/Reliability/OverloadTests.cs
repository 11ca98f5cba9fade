using System.Diagnostics;
using System.Net;
using CornerNet.Tools.Common;

namespace CornerNet.Service.Tests.Reliability;

/// <summary>
/// The real service process under open-loop load at twice its measured capacity: admission by expected wait answers
/// the excess 503 with Retry-After, admitted requests are answered, nothing times out, resets or fails. Counts and
/// times are bounded; the latency targets themselves are measured by the load generator (docs/benchmarks.md), not here.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
[Trait(TestCategories.Category, TestCategories.External)]
public sealed class OverloadTests
{
    private const int TimeoutSeconds = 10;
    private static readonly TimeSpan OverloadDuration = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task At_twice_capacity_the_excess_is_refused_503_with_retry_after_and_every_admitted_request_is_answered()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Batching__RequestTimeoutSeconds"] = TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = service.Address,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds + 30),
        };
        var image = OpenLoopLoad.Image(TestImages.Png(320, 240, seed: 3), "image/png");

        // Capacity: answers per second of four closed-loop clients over a few seconds.
        var answered = 0;
        var measuring = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (measuring.Elapsed < TimeSpan.FromSeconds(5))
            {
                using var content = image();
                using var response = await client.PostAsync("/detect", content);
                if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref answered);
            }
        }));
        var capacity = answered / measuring.Elapsed.TotalSeconds;
        Assert.True(answered > 0, "nothing was answered while measuring capacity");

        var before = await MetricsSnapshot.ReadAsync(client);
        var samples = await OpenLoopLoad.RunAsync(client, "/detect", image, 2 * capacity, OverloadDuration);
        var after = await MetricsSnapshot.ReadAsync(client);

        var summary = $"{samples.Count} requests at {2 * capacity:F1}/s: " + string.Join(", ",
            samples.GroupBy(s => s.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? s.Error).Select(g => $"{g.Key} x{g.Count()}"));
        Assert.All(samples, s => Assert.True(s.Error is null, $"{s.Error} ({summary})"));
        Assert.All(samples, s => Assert.True(s.Status is 200 or 503, summary));
        var refused = samples.Where(s => s.Status == 503).ToList();
        Assert.True(refused.Count > 0, $"nothing refused: {summary}");
        Assert.Contains(samples, s => s.Status == 200);
        Assert.All(refused, s =>
        {
            Assert.Equal("application/problem+json", s.ContentType);
            Assert.True(s.RetryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {s.RetryAfter}");
        });
        // No answer later than its deadline plus 1 s.
        Assert.All(samples, s => Assert.True(s.Latency < TimeSpan.FromSeconds(TimeoutSeconds + 1), $"answered after {s.Latency.TotalSeconds:F1} s"));

        // Every refusal is counted, under its reason.
        var counted = after.Sum("cornernet_rejected_requests_total") - before.Sum("cornernet_rejected_requests_total");
        Assert.Equal(refused.Count, counted);
        Assert.True(after["cornernet_rejected_requests_total{reason=\"expected_wait\"}"] > 0, "no refusal was for the expected wait");

        // After the burst the service serves again.
        await Task.Delay(refused.Max(s => s.RetryAfter!.Value));
        using var again = image();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/detect", again)).StatusCode);
    }
}
