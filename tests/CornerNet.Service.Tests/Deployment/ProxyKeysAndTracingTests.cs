using System.Diagnostics;
using System.Net;
using CornerNet.Service.Tests.Security;

namespace CornerNet.Service.Tests.Deployment;

/// <summary>
/// The repository's nginx configuration in front of the real service with API keys and tracing on: the key headers and
/// the caller's traceparent cross the proxy, and the service's spans reach a real OTLP/HTTP endpoint.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
[Trait(TestCategories.Category, TestCategories.External)]
public sealed class ProxyKeysAndTracingTests
{
    [Fact]
    public async Task Keys_and_the_trace_context_cross_nginx_and_the_spans_reach_the_otlp_collector()
    {
        await using var collector = await FakeOtlpCollector.StartAsync();
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["ApiKeys__Enabled"] = "true",
            ["ApiKeys__Keys__0__Name"] = "team",
            ["ApiKeys__Keys__0__Sha256"] = TestKeys.Sha256(TestKeys.Detect),
            ["Tracing__OtlpEndpoint"] = collector.Address.ToString(),
            ["Tracing__OtlpProtocol"] = "http/protobuf",
        });
        await using var nginx = await NginxProcess.StartAsync(service.Port);
        using var client = new HttpClient { BaseAddress = nginx.Address };

        var refused = await client.PostAsync("/detect", TestKeys.Png());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Detect))).StatusCode);

        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        using var request = TestKeys.Bearer(HttpMethod.Post, "/detect", TestKeys.Detect, TestKeys.Png());
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        // Exported in batches every few seconds: a span of the caller's trace whose parent is the caller's span.
        var traceBytes = Convert.FromHexString(traceId.ToHexString());
        var parentBytes = Convert.FromHexString(callerSpan.ToHexString());
        bool Complete() => collector.Received(traceBytes, parentBytes) && collector.Received(traceBytes, "queue wait"u8.ToArray())
                           && collector.Received("batch run"u8.ToArray()) && collector.Received("soft-nms"u8.ToArray());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Complete() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(collector.Received(traceBytes, parentBytes), $"No export held the caller's trace; {collector.Exports.Count} exports received.");
        Assert.True(collector.Received(traceBytes, "queue wait"u8.ToArray()));
        Assert.True(collector.Received("batch run"u8.ToArray()));
        Assert.True(collector.Received("soft-nms"u8.ToArray()));
    }
}
