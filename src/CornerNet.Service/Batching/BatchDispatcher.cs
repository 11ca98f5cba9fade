namespace CornerNet.Service.Batching;

/// <summary>
/// The batching worker's decisions, step by step and synchronous (the worker does the waiting and runs the model):
/// <see cref="Take"/> what queued, <see cref="HoldFor"/> a while if company is coming, <see cref="NextBatch"/> drops
/// jobs whose callers are gone or that can no longer finish by their deadline, and hands out at most
/// <see cref="BatchPolicy.BatchSizeCap"/> jobs in queue order.
/// </summary>
public sealed class BatchDispatcher(DetectionQueue queue, BatchPolicy policy, ImageTimeEstimate estimate, TimeProvider clock)
{
    private readonly List<DetectionJob> _pending = new(policy.BatchSizeCap);

    /// <summary>Jobs taken from the queue and not yet run or dropped.</summary>
    public int Pending => _pending.Count;

    public BatchPolicy Policy => policy;

    /// <summary>Called for every job dropped before the model saw it, with why.</summary>
    public event Action<DetectionJob, AbandonReason>? Dropped;

    /// <summary>Moves queued jobs into the batch being formed, up to the cap; never waits.</summary>
    public void Take()
    {
        while (_pending.Count < policy.BatchSizeCap && queue.Reader.TryRead(out var job))
        {
            if (!DropIfDead(job, clock.GetTimestamp())) _pending.Add(job);
        }
    }

    /// <summary>How long to wait for more images before running what is pending (zero: run now).</summary>
    public TimeSpan HoldFor()
    {
        if (_pending.Count == 0) return TimeSpan.Zero;
        var oldest = clock.GetElapsedTime(_pending[0].EnqueuedAt);
        return policy.HoldFor(_pending.Count, oldest, queue.Arrivals.Typical());
    }

    /// <summary>The jobs to run now (possibly none: all dropped), removed from the pending ones.</summary>
    public IReadOnlyList<DetectionJob> NextBatch()
    {
        var now = clock.GetTimestamp();
        _pending.RemoveAll(job => DropIfDead(job, now));
        var batch = _pending.ToArray();
        _pending.Clear();
        return batch;
    }

    /// <summary>Fails every pending and queued job with <paramref name="error"/>; returns how many.</summary>
    public int FailAll(Func<Exception> error)
    {
        var failed = 0;
        foreach (var job in _pending)
        {
            Leave(job, () => job.Fail(error()));
            failed++;
        }

        _pending.Clear();
        while (queue.Reader.TryRead(out var job))
        {
            Leave(job, () => job.Fail(error()));
            failed++;
        }

        return failed;
    }

    private bool DropIfDead(DetectionJob job, long now)
    {
        if (job.RequestAborted.IsCancellationRequested)
        {
            Leave(job, job.Cancel);
            Dropped?.Invoke(job, job.AbandonReason);
            return true;
        }

        // Late: the deadline has passed, or comes before even this image alone could be done.
        var left = clock.GetElapsedTime(now, job.Deadline);
        if (left <= estimate.PerImage)
        {
            Leave(job, () => job.Fail(new JobExpiredException()));
            Dropped?.Invoke(job, AbandonReason.Timeout);
            return true;
        }

        return false;
    }

    private void Leave(DetectionJob job, Action answer)
    {
        queue.Left(1);
        answer();
    }
}
