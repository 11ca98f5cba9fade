using System.Diagnostics;
using CornerNet.Model.Inference;

namespace CornerNet.Service.Batching;

/// <summary>One image waiting for the model, and the promise its request awaits.</summary>
/// <param name="enqueuedAt">When it was queued, a <see cref="TimeProvider"/> timestamp.</param>
/// <param name="deadline">Its request's one deadline, a timestamp of the same clock.</param>
public sealed class DetectionJob(DecodedImage image, long enqueuedAt, long deadline, RequestAbandonment abandonment)
{
    private readonly TaskCompletionSource<JobOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DecodedImage Image { get; } = image;

    /// <summary>Cancelled when the request no longer wants this image (see <see cref="AbandonReason"/>).</summary>
    public CancellationToken RequestAborted { get; } = abandonment.Token;

    /// <summary>Why the request gave up, once <see cref="RequestAborted"/> is cancelled.</summary>
    public AbandonReason AbandonReason => abandonment.Reason;

    public long EnqueuedAt { get; } = enqueuedAt;

    public long Deadline { get; } = deadline;

    /// <summary>The span of the request that queued this image (none when tracing is off), for its trace's spans.</summary>
    public ActivityContext RequestTrace { get; } = Activity.Current?.Context ?? default;

    public Task<JobOutcome> Completion => _completion.Task;

    public void Complete(JobOutcome outcome) => _completion.TrySetResult(outcome);

    /// <summary>Answers the request with <paramref name="error"/>; false when it had its answer already.</summary>
    public bool Fail(Exception error) => _completion.TrySetException(error);

    public void Cancel() => _completion.TrySetCanceled(RequestAborted);
}
