using CornerNet.Service.Configuration;

namespace CornerNet.Service.Batching;

/// <summary>Why a request was not admitted (the <c>reason</c> label of <c>cornernet_rejected_requests_total</c>).</summary>
public enum RejectionReason
{
    /// <summary>The expected queue wait is longer than Batching:MaxQueueWaitMs.</summary>
    ExpectedWait,

    /// <summary>Batching:QueueCapacity images are already queued.</summary>
    QueueFull,

    /// <summary>The service is shutting down.</summary>
    ShuttingDown,

    /// <summary>The model is still loading.</summary>
    NotReady,
}

/// <summary>A request refused at the door, and when it is worth trying again.</summary>
public sealed record Rejection(RejectionReason Reason, TimeSpan RetryAfter, TimeSpan ExpectedWait)
{
    public string Label => Reason switch
    {
        RejectionReason.ExpectedWait => "expected_wait",
        RejectionReason.QueueFull => "queue_full",
        RejectionReason.ShuttingDown => "shutting_down",
        RejectionReason.NotReady => "not_ready",
        _ => throw new ArgumentOutOfRangeException(nameof(Reason), Reason, null),
    };
}

/// <summary>
/// Admission by expected wait: images outstanding (queued or running) x the recent time per image, against the
/// limit <see cref="MaxQueueWait"/>. A request that would wait longer is refused at once, with Retry-After the time
/// the queue needs to come back under the limit (at least 1 s, the header's unit), so that admitted requests keep a
/// short wait. A request is checked once, whatever the number of its images: they queue together behind the same
/// work, and are queued all or none (<see cref="DetectionQueue.TryEnqueueAll"/>).
/// </summary>
/// <remarks>
/// The limit is Batching:MaxQueueWaitMs when it is set. Unset, it is <see cref="RelativeWaitFloor"/> or
/// <see cref="RelativeWaitImages"/> x the recent time per image, whichever is longer. A fixed 200 ms refuses every
/// request that finds a slow model busy (hourglass-104 takes about 3.5 s an image on this CPU, so two clients would
/// take turns being refused). One image's time admits exactly one image waiting behind the one running on a slow
/// model, and an admitted request is then answered within about twice its idle time (its wait, then its own run),
/// which is the overload target (admitted p99 at most 2x idle p99); more images ahead would break it. Fast models
/// keep the 200 ms floor, where batching has room to work.
/// </remarks>
public sealed class QueueAdmission(DetectionQueue queue, ImageTimeEstimate estimate, BatchingOptions options)
{
    /// <summary>The least limit when Batching:MaxQueueWaitMs is unset.</summary>
    public static readonly TimeSpan RelativeWaitFloor = TimeSpan.FromMilliseconds(200);

    /// <summary>Images' worth of the model's time a request may expect to wait when Batching:MaxQueueWaitMs is unset.</summary>
    public const int RelativeWaitImages = 1;

    private static readonly TimeSpan MinimumRetryAfter = TimeSpan.FromSeconds(1);

    private readonly TimeSpan? _configured = options.MaxQueueWaitMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>The longest expected wait admitted now: Batching:MaxQueueWaitMs, else relative to the model's speed.</summary>
    public TimeSpan MaxQueueWait => Limit(estimate.PerImage);

    /// <summary>Whether the limit follows the model's time per image (Batching:MaxQueueWaitMs unset).</summary>
    public bool IsRelative => _configured is null;

    /// <summary>The wait an image queued now can expect.</summary>
    public TimeSpan ExpectedWait => estimate.PerImage * queue.Outstanding;

    /// <summary>Null when a request may be queued now; otherwise why not. (A full queue is found when queuing.)</summary>
    public Rejection? Check()
    {
        // One reading of the estimate for both sides, so that a relative limit compares images ahead, not noise.
        var perImage = estimate.PerImage;
        var expected = perImage * queue.Outstanding;
        if (!queue.IsOpen) return new Rejection(RejectionReason.ShuttingDown, MinimumRetryAfter, expected);
        if (expected > Limit(perImage)) return new Rejection(RejectionReason.ExpectedWait, RetryAfter(expected), expected);
        return null;
    }

    /// <summary>The time until the expected wait is back under the limit, in whole seconds, at least one.</summary>
    public TimeSpan RetryAfter(TimeSpan expectedWait)
    {
        var excess = expectedWait - MaxQueueWait;
        var seconds = Math.Ceiling(excess.TotalSeconds);
        return seconds < 1 ? MinimumRetryAfter : TimeSpan.FromSeconds(seconds);
    }

    private TimeSpan Limit(TimeSpan perImage)
    {
        if (_configured is { } configured) return configured;
        var relative = perImage * RelativeWaitImages;
        return relative > RelativeWaitFloor ? relative : RelativeWaitFloor;
    }
}
