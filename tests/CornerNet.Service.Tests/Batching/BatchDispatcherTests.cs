using CornerNet.Model.Inference;
using CornerNet.Service.Batching;
using CornerNet.Service.Configuration;

namespace CornerNet.Service.Tests.Batching;

/// <summary>The batching worker's steps on a clock that moves only when told: what is taken, held, dropped and run.</summary>
public sealed class BatchDispatcherTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly DecodedImage Image = new(8, 8, new byte[8 * 8 * 3]);

    private readonly ManualClock _clock = new();
    private readonly ImageTimeEstimate _estimate = new();
    private readonly DetectionQueue _queue;
    private readonly List<RequestAbandonment> _requests = [];
    private readonly List<(DetectionJob Job, AbandonReason Reason)> _dropped = [];

    public BatchDispatcherTests()
    {
        _queue = new DetectionQueue(new BatchingOptions { QueueCapacity = 64 }, _clock);
    }

    private BatchDispatcher Dispatcher(int cap = 4, int maxDelayMs = 10)
    {
        var dispatcher = new BatchDispatcher(_queue, new BatchPolicy(cap, TimeSpan.FromMilliseconds(maxDelayMs)), _estimate, _clock);
        dispatcher.Dropped += (job, reason) => _dropped.Add((job, reason));
        return dispatcher;
    }

    private (DetectionJob Job, RequestAbandonment Request) Enqueue(TimeSpan? deadline = null)
    {
        var request = new RequestAbandonment(CancellationToken.None);
        _requests.Add(request);
        var job = new DetectionJob(Image, _clock.GetTimestamp(), _clock.After(deadline ?? Deadline), request);
        Assert.True(_queue.TryEnqueue(job));
        return (job, request);
    }

    /// <summary>Images arriving <paramref name="gap"/> apart, enough for the arrival estimate, then run.</summary>
    private void ArrivalsEvery(TimeSpan gap, BatchDispatcher dispatcher)
    {
        for (var i = 0; i <= ArrivalGaps.Window; i++)
        {
            Enqueue();
            _clock.Advance(gap);
        }

        while (_queue.Reader.Count > 0 || dispatcher.Pending > 0)
        {
            dispatcher.Take();
            dispatcher.NextBatch();
        }
    }

    [Fact]
    public void A_batch_is_what_queued_while_the_model_was_busy_up_to_the_cap()
    {
        var dispatcher = Dispatcher(cap: 4);
        var jobs = Enumerable.Range(0, 6).Select(_ => Enqueue().Job).ToList();

        dispatcher.Take();
        Assert.Equal(TimeSpan.Zero, dispatcher.HoldFor());
        Assert.Equal(jobs.Take(4), dispatcher.NextBatch());
        dispatcher.Take();
        Assert.Equal(jobs.Skip(4), dispatcher.NextBatch());
        Assert.Equal(0, dispatcher.Pending);
    }

    [Fact]
    public void An_image_that_finds_the_model_idle_is_not_held_when_images_come_one_at_a_time()
    {
        var dispatcher = Dispatcher();
        ArrivalsEvery(TimeSpan.FromMilliseconds(40), dispatcher);

        var job = Enqueue().Job;
        dispatcher.Take();
        Assert.Equal(TimeSpan.Zero, dispatcher.HoldFor());
        Assert.Equal([job], dispatcher.NextBatch());
    }

    [Fact]
    public void An_image_is_held_while_a_batch_can_fill_and_released_once_full()
    {
        var dispatcher = Dispatcher(cap: 4, maxDelayMs: 10);
        ArrivalsEvery(TimeSpan.FromMilliseconds(1), dispatcher);

        Enqueue();
        dispatcher.Take();
        Assert.Equal(TimeSpan.FromMilliseconds(10), dispatcher.HoldFor());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Enqueue();
        Enqueue();
        dispatcher.Take();
        Assert.Equal(TimeSpan.FromMilliseconds(9), dispatcher.HoldFor());
        Enqueue();
        dispatcher.Take();
        Assert.Equal(TimeSpan.Zero, dispatcher.HoldFor());
        Assert.Equal(4, dispatcher.NextBatch().Count);
    }

    [Fact]
    public void Holding_ends_when_the_oldest_image_has_waited_the_delay()
    {
        var dispatcher = Dispatcher(cap: 4, maxDelayMs: 10);
        ArrivalsEvery(TimeSpan.FromMilliseconds(1), dispatcher);

        Enqueue();
        dispatcher.Take();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(TimeSpan.Zero, dispatcher.HoldFor());
        Assert.Single(dispatcher.NextBatch());
    }

    [Fact]
    public async Task A_batch_whose_callers_have_all_gone_does_not_run()
    {
        var dispatcher = Dispatcher();
        var queued = Enumerable.Range(0, 3).Select(_ => Enqueue()).ToList();
        dispatcher.Take();
        foreach (var (_, request) in queued) await request.AbandonAsync(AbandonReason.ClientGone);

        Assert.Empty(dispatcher.NextBatch());
        Assert.Equal(3, _dropped.Count(d => d.Reason == AbandonReason.ClientGone));
        Assert.All(queued, q => Assert.True(q.Job.Completion.IsCanceled));
        Assert.Equal(0, _queue.Outstanding);
    }

    [Fact]
    public async Task Jobs_past_their_deadline_or_too_close_to_it_are_dropped_as_timeouts_and_the_rest_run()
    {
        _estimate.Record(1, TimeSpan.FromMilliseconds(100));
        var dispatcher = Dispatcher();
        var late = Enqueue(TimeSpan.FromMilliseconds(50)).Job;
        var tooClose = Enqueue(TimeSpan.FromMilliseconds(1_080)).Job;
        var onTime = Enqueue(TimeSpan.FromSeconds(5)).Job;
        var gone = Enqueue();
        await gone.Request.AbandonAsync(AbandonReason.QueueFull);
        _clock.Advance(TimeSpan.FromSeconds(1));

        dispatcher.Take();
        Assert.Equal([onTime], dispatcher.NextBatch());
        Assert.IsType<JobExpiredException>(late.Completion.Exception!.InnerException);
        Assert.IsType<JobExpiredException>(tooClose.Completion.Exception!.InnerException);
        Assert.Equal([AbandonReason.Timeout, AbandonReason.Timeout, AbandonReason.QueueFull], _dropped.Select(d => d.Reason));
        Assert.Equal(1, _queue.Outstanding);
    }

    [Fact]
    public async Task A_caller_that_leaves_while_its_image_is_held_is_dropped_before_the_run()
    {
        var dispatcher = Dispatcher();
        var staying = Enqueue().Job;
        var leaving = Enqueue();
        dispatcher.Take();
        await leaving.Request.AbandonAsync(AbandonReason.ClientGone);

        Assert.Equal([staying], dispatcher.NextBatch());
    }

    [Fact]
    public void When_the_drain_runs_out_every_pending_and_queued_job_is_failed()
    {
        var dispatcher = Dispatcher(cap: 2);
        var jobs = Enumerable.Range(0, 5).Select(_ => Enqueue().Job).ToList();
        dispatcher.Take();

        Assert.Equal(5, dispatcher.FailAll(() => new ServiceStoppingException()));
        Assert.All(jobs, j => Assert.IsType<ServiceStoppingException>(j.Completion.Exception!.InnerException));
        Assert.Equal(0, _queue.Outstanding);
    }

    public void Dispose()
    {
        foreach (var request in _requests) request.Dispose();
    }
}
