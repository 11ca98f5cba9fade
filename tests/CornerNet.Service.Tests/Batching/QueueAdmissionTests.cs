using CornerNet.Model.Inference;
using CornerNet.Service.Batching;
using CornerNet.Service.Configuration;

namespace CornerNet.Service.Tests.Batching;

/// <summary>Admission by expected wait: images outstanding x the moving time per image, against Batching:MaxQueueWaitMs.</summary>
public sealed class QueueAdmissionTests
{
    private static readonly DecodedImage Image = new(8, 8, new byte[8 * 8 * 3]);
    private readonly ManualClock _clock = new();
    private readonly ImageTimeEstimate _estimate = new();
    private readonly DetectionQueue _queue;
    private readonly QueueAdmission _admission;

    public QueueAdmissionTests()
    {
        var options = new BatchingOptions { QueueCapacity = 64, MaxQueueWaitMs = 200 };
        _queue = new DetectionQueue(options, _clock);
        _admission = new QueueAdmission(_queue, _estimate, options);
    }

    private void Queue(int images)
    {
        var request = new RequestAbandonment(CancellationToken.None);
        for (var i = 0; i < images; i++) Assert.True(_queue.TryEnqueue(new DetectionJob(Image, 0, long.MaxValue, request)));
    }

    [Fact]
    public void Requests_are_admitted_while_the_expected_wait_is_within_the_limit()
    {
        _estimate.Record(1, TimeSpan.FromMilliseconds(50));
        Queue(4);
        Assert.Equal(TimeSpan.FromMilliseconds(200), _admission.ExpectedWait);
        Assert.Null(_admission.Check());
    }

    [Fact]
    public void A_request_that_would_wait_too_long_is_refused_with_retry_after_from_the_estimate()
    {
        _estimate.Record(1, TimeSpan.FromMilliseconds(50));
        Queue(5);
        var rejection = _admission.Check();
        Assert.Equal(RejectionReason.ExpectedWait, rejection?.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), rejection!.RetryAfter);
        Assert.Equal("expected_wait", rejection.Label);

        // 64 images at 50 ms: 3.2 s expected, 3.0 s over the limit.
        Queue(59);
        Assert.Equal(TimeSpan.FromSeconds(3), _admission.Check()!.RetryAfter);
    }

    [Fact]
    public void Answered_images_leave_the_expected_wait()
    {
        _estimate.Record(1, TimeSpan.FromMilliseconds(50));
        Queue(8);
        Assert.NotNull(_admission.Check());
        _queue.Left(5);
        Assert.Null(_admission.Check());
    }

    [Fact]
    public void The_time_per_image_is_a_moving_estimate_of_recent_batches()
    {
        _estimate.Record(4, TimeSpan.FromMilliseconds(400));
        Assert.Equal(TimeSpan.FromMilliseconds(100), _estimate.PerImage);
        _estimate.Record(1, TimeSpan.FromMilliseconds(20));
        Assert.Equal(TimeSpan.FromMilliseconds(80), _estimate.PerImage);
    }

    [Fact]
    public void Once_shutdown_has_begun_nothing_is_admitted()
    {
        _queue.Close();
        Assert.Equal(RejectionReason.ShuttingDown, _admission.Check()?.Reason);
    }

    private static (DetectionQueue Queue, QueueAdmission Admission, ImageTimeEstimate Estimate) Unset(int capacity = 64)
    {
        var options = new BatchingOptions { QueueCapacity = capacity };
        var queue = new DetectionQueue(options, new ManualClock());
        var estimate = new ImageTimeEstimate();
        return (queue, new QueueAdmission(queue, estimate, options), estimate);
    }

    private static DetectionJob Job() => new(Image, 0, long.MaxValue, new RequestAbandonment(CancellationToken.None));

    [Fact]
    public void Unset_the_limit_follows_a_slow_model_so_one_request_may_wait_behind_the_one_running()
    {
        var (queue, admission, estimate) = Unset();
        Assert.True(admission.IsRelative);
        // hourglass-104 on this CPU: about 3.5 s an image.
        estimate.Record(1, TimeSpan.FromSeconds(3.5));
        Assert.Equal(TimeSpan.FromSeconds(3.5), admission.MaxQueueWait);

        Assert.True(queue.TryEnqueue(Job()));
        Assert.Null(admission.Check());
        Assert.True(queue.TryEnqueue(Job()));
        var rejection = admission.Check();
        Assert.Equal(RejectionReason.ExpectedWait, rejection?.Reason);
        // 7 s expected, 3.5 s over the limit: come back in 4 s.
        Assert.Equal(TimeSpan.FromSeconds(4), rejection!.RetryAfter);
    }

    [Fact]
    public void Unset_the_limit_is_never_under_200_ms_for_a_fast_model()
    {
        var (queue, admission, estimate) = Unset();
        Assert.Equal(QueueAdmission.RelativeWaitFloor, admission.MaxQueueWait);
        estimate.Record(4, TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(200), admission.MaxQueueWait);
        for (var i = 0; i < 4; i++) Assert.True(queue.TryEnqueue(Job()));
        Assert.Null(admission.Check());
        Assert.True(queue.TryEnqueue(Job()));
        Assert.Equal(RejectionReason.ExpectedWait, admission.Check()?.Reason);
    }

    [Fact]
    public void A_limit_set_explicitly_is_kept_even_for_a_slow_model()
    {
        _estimate.Record(1, TimeSpan.FromSeconds(3.5));
        Assert.False(_admission.IsRelative);
        Assert.Equal(TimeSpan.FromMilliseconds(200), _admission.MaxQueueWait);
        Queue(1);
        Assert.Equal(RejectionReason.ExpectedWait, _admission.Check()?.Reason);
    }

    [Fact]
    public void A_request_is_queued_whole_or_not_at_all()
    {
        var (queue, _, _) = Unset(capacity: 4);
        Assert.True(queue.TryEnqueueAll([Job(), Job()]));
        Assert.False(queue.TryEnqueueAll([Job(), Job(), Job()]));
        // Nothing of the refused request was queued: room is left for exactly two more.
        Assert.Equal(2, queue.Depth);
        Assert.Equal(2, queue.Outstanding);
        Assert.True(queue.TryEnqueueAll([Job(), Job()]));
        Assert.False(queue.TryEnqueue(Job()));
        Assert.Equal(4, queue.Outstanding);

        queue.Close();
        Assert.True(queue.Reader.TryRead(out _));
        Assert.False(queue.TryEnqueue(Job()));
    }
}
