namespace CornerNet.Service.Batching;

/// <summary>
/// When to run and how much (pure rules, no clock of its own): batches are what queued while the model was busy, up
/// to <see cref="BatchSizeCap"/>; images are held back for company only when the recent arrivals say the batch can
/// fill within what is left of <c>MaxDelayMs</c> since the oldest of them was queued.
/// </summary>
public sealed class BatchPolicy
{
    public BatchPolicy(int batchSizeCap, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSizeCap, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, TimeSpan.Zero);
        BatchSizeCap = batchSizeCap;
        MaxDelay = maxDelay;
    }

    /// <summary>The largest batch worth running: Batching:MaxBatchSize, or less when <see cref="BatchSizeProfile"/>
    /// found larger batches slower per image.</summary>
    public int BatchSizeCap { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>
    /// How long to hold <paramref name="waiting"/> images back for others; zero runs them now. Holds them only while the
    /// batch is not full, the oldest has waited less than <see cref="MaxDelay"/>, and the images still needed would
    /// arrive in time at the <paramref name="typicalArrivalGap"/> (null: not known yet, do not wait).
    /// </summary>
    public TimeSpan HoldFor(int waiting, TimeSpan oldestWaited, TimeSpan? typicalArrivalGap)
    {
        if (waiting < 1 || waiting >= BatchSizeCap || typicalArrivalGap is not { } gap) return TimeSpan.Zero;
        var left = MaxDelay - oldestWaited;
        if (left <= TimeSpan.Zero) return TimeSpan.Zero;
        return gap * (BatchSizeCap - waiting) <= left ? left : TimeSpan.Zero;
    }
}
