using System.Diagnostics;
using System.Net;
using OpenTelemetry.Trace;

namespace CornerNet.Service.Tests.Observability;

/// <summary>The spans of a detection, recorded by an in-memory exporter beside the OTLP one, against the real host.</summary>
public sealed class TracingTests
{
    // Nothing listens there: the OTLP exporter's sends fail quietly, the in-memory exporter sees every span.
    private static readonly Dictionary<string, string?> TracingOn = new() { ["Tracing:OtlpEndpoint"] = "http://127.0.0.1:9" };

    private static ServiceFactory Traced(List<Activity> spans, Dictionary<string, string?>? settings) =>
        new(settings, services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));

    private static Activity[] Snapshot(List<Activity> spans)
    {
        lock (spans) return [.. spans];
    }

    [Fact]
    public async Task A_detection_continues_the_callers_trace_with_decode_queue_wait_and_batch_spans_linked_to_the_batch_trace()
    {
        var spans = new List<Activity>();
        await using var factory = Traced(spans, TracingOn);
        using var client = await factory.CreateReadyClientAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/detect") { Content = Security.TestKeys.Png() };
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        // The request's span ends after its answer is sent, the batch's after its jobs are answered.
        Activity? server = null, batchRun = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((server is null || batchRun is null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            var now = Snapshot(spans);
            server = now.FirstOrDefault(s => s.TraceId == traceId && s.Kind == ActivityKind.Server);
            batchRun = now.FirstOrDefault(s => s.DisplayName == "batch run" && s.Links.Any(l => l.Context.TraceId == traceId));
        }

        Assert.NotNull(server);
        Assert.NotNull(batchRun);
        var all = Snapshot(spans);

        // The caller's traceparent is honoured: same trace, the caller's span as parent.
        Assert.Equal(callerSpan, server.ParentSpanId);
        Assert.Equal("POST", server.GetTagItem("http.request.method"));

        Activity Child(string name, Activity parent) =>
            Assert.Single(all, s => s.DisplayName == name && s.TraceId == parent.TraceId && s.ParentSpanId == parent.SpanId);

        var decode = Child("image decode", server);
        var queueWait = Child("queue wait", server);
        var batch = Child("batch", server);
        Assert.True(decode.StartTimeUtc <= queueWait.StartTimeUtc);
        Assert.True(queueWait.StartTimeUtc + queueWait.Duration <= batch.StartTimeUtc + TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, batch.GetTagItem("cornernet.batch.size"));
        Assert.Contains(batch.Links, l => l.Context.SpanId == batchRun.SpanId && l.Context.TraceId == batchRun.TraceId);

        // The batch is its own trace, linked to the request it served, with the model's stages under it.
        Assert.NotEqual(traceId, batchRun.TraceId);
        Assert.Equal(default, batchRun.ParentSpanId);
        Assert.Contains(batchRun.Links, l => l.Context.SpanId == server.SpanId);
        foreach (var stage in new[] { "forward", "corner decode", "soft-nms" })
        {
            Child(stage, batchRun);
        }
    }

    [Fact]
    public async Task Without_a_collector_address_nothing_is_recorded()
    {
        var spans = new List<Activity>();
        await using var factory = Traced(spans, null);
        using var client = await factory.CreateReadyClientAsync();
        var traceId = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/detect") { Content = Security.TestKeys.Png() };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        await Task.Delay(500);

        Assert.DoesNotContain(Snapshot(spans), s => s.TraceId == traceId || s.DisplayName == "batch run");
    }
}
