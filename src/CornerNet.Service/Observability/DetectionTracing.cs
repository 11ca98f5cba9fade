using System.Diagnostics;
using CornerNet.Service.Batching;

namespace CornerNet.Service.Observability;

/// <summary>
/// The service's own spans. A request's trace (ASP.NET Core's span for the request, from the caller's traceparent
/// if it sent one) gets "image decode" per image, then per image "queue wait" (queued until its batch started) and
/// "batch" (its batch's run, linked to the batch's own span). The batch has its own trace, since it serves several
/// requests: a root span "batch run" linked to each request it served, with the model's stages (forward, corner
/// decode, soft-nms; <see cref="CornerNet.Model.Inference.InferenceTracing"/>) under it. Nothing is recorded unless
/// tracing is on (Tracing:OtlpEndpoint).
/// </summary>
public static class DetectionTracing
{
    public const string SourceName = "CornerNet.Service";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The span of decoding one image of the current request.</summary>
    public static Activity? StartImageDecode(int? index)
    {
        var span = Source.StartActivity("image decode");
        if (index is { } i) span?.SetTag("cornernet.image.index", i);
        return span;
    }

    /// <summary>The root span of a batch, linked to the request of each image in it; the model's stage spans nest
    /// under it while it is current.</summary>
    public static Activity? StartBatch(IReadOnlyList<DetectionJob> jobs)
    {
        if (!Source.HasListeners()) return null;
        // A root, whatever happened to be current on the worker: the batch belongs to no single request.
        Activity.Current = null;
        var links = jobs.Where(j => j.RequestTrace != default).Select(j => new ActivityLink(j.RequestTrace)).ToList();
        var span = Source.StartActivity("batch run", ActivityKind.Internal, parentContext: default, links: links);
        span?.SetTag("cornernet.batch.size", jobs.Count);
        return span;
    }

    /// <summary>Each image's "queue wait" (queued until <paramref name="batchStarted"/>) in its request's trace.</summary>
    public static void RecordQueueWaits(IReadOnlyList<DetectionJob> jobs, long batchStarted)
    {
        if (!Source.HasListeners()) return;
        foreach (var job in jobs)
        {
            Record("queue wait", job, job.EnqueuedAt, batchStarted, links: null);
        }
    }

    /// <summary>Each image's "batch" span (<paramref name="batchStarted"/> until now) in its request's trace, linked to
    /// the batch's own span.</summary>
    public static void RecordBatchRuns(IReadOnlyList<DetectionJob> jobs, Activity? batch, long batchStarted, string? error = null)
    {
        if (!Source.HasListeners()) return;
        var links = batch is null ? null : new[] { new ActivityLink(batch.Context) };
        var now = Stopwatch.GetTimestamp();
        foreach (var job in jobs)
        {
            Record("batch", job, batchStarted, now, links, jobs.Count, error);
        }
    }

    /// <summary>A finished span of <paramref name="job"/>'s request between two <see cref="Stopwatch"/> timestamps.</summary>
    private static void Record(string name, DetectionJob job, long from, long to, IEnumerable<ActivityLink>? links,
        int? batchSize = null, string? error = null)
    {
        if (job.RequestTrace == default) return;
        var now = Stopwatch.GetTimestamp();
        var wallNow = DateTimeOffset.UtcNow;
        var previous = Activity.Current;
        var span = Source.StartActivity(name, ActivityKind.Internal, job.RequestTrace, links: links,
            startTime: wallNow - Stopwatch.GetElapsedTime(from, now));
        if (span is null) return;
        if (batchSize is { } size) span.SetTag("cornernet.batch.size", size);
        if (error is not null) span.SetStatus(ActivityStatusCode.Error, error);
        span.SetEndTime((wallNow - Stopwatch.GetElapsedTime(to, now)).UtcDateTime);
        span.Stop();
        Activity.Current = previous;
    }
}
