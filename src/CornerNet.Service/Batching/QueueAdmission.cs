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
/// Admission by expected wait: images outstanding (queued or running) x the recent time per image, against
/// Batching:MaxQueueWaitMs. A request that would wait longer is refused at once, with Retry-After the time the queue
/// needs to come back under the limit (at least 1 s, the header's unit), so that admitted requests keep a short wait.
/// </summary>
public sealed class QueueAdmission(DetectionQueue queue, ImageTimeEstimate estimate, BatchingOptions options)
{
    private static readonly TimeSpan MinimumRetryAfter = TimeSpan.FromSeconds(1);

    public TimeSpan MaxQueueWait { get; } = TimeSpan.FromMilliseconds(options.MaxQueueWaitMs);

    /// <summary>The wait an image queued now can expect.</summary>
    public TimeSpan ExpectedWait => estimate.PerImage * queue.Outstanding;

    /// <summary>Null when a request may be queued now; otherwise why not. (A full queue is found when queuing.)</summary>
    public Rejection? Check()
    {
        var expected = ExpectedWait;
        if (!queue.IsOpen) return new Rejection(RejectionReason.ShuttingDown, MinimumRetryAfter, expected);
        if (expected > MaxQueueWait) return new Rejection(RejectionReason.ExpectedWait, RetryAfter(expected), expected);
        return null;
    }

    /// <summary>The time until the expected wait is back under the limit, in whole seconds, at least one.</summary>
    public TimeSpan RetryAfter(TimeSpan expectedWait)
    {
        var excess = expectedWait - MaxQueueWait;
        var seconds = Math.Ceiling(excess.TotalSeconds);
        return seconds < 1 ? MinimumRetryAfter : TimeSpan.FromSeconds(seconds);
    }
}
