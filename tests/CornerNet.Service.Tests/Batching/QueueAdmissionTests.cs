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
}
