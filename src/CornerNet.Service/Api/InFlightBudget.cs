namespace CornerNet.Service.Api;

/// <summary>
/// A quantity (decoded pixels, buffered body bytes) shared by all requests, bounded by configuration: a request takes
/// what it needs before it allocates it and gives it back when it is done; what would go over the limit is refused,
/// never waited for. Thread-safe.
/// </summary>
public sealed class InFlightBudget(long limit)
{
    private long _used;
    private long _lastReleased = Environment.TickCount64;

    public long Limit { get; } = limit;

    /// <summary>Held now, by all requests.</summary>
    public long InUse => Interlocked.Read(ref _used);

    /// <summary><see cref="Environment.TickCount64"/> when the budget last went back to nothing held.</summary>
    public long LastIdleSince => Interlocked.Read(ref _lastReleased);

    /// <summary>Takes <paramref name="amount"/> (which may be zero), or returns false and takes nothing.</summary>
    public bool TryTake(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        if (Interlocked.Add(ref _used, amount) <= Limit) return true;
        Release(amount);
        return false;
    }

    /// <summary>Gives back what <see cref="TryTake"/> took.</summary>
    public void Release(long amount)
    {
        if (Interlocked.Add(ref _used, -amount) == 0) Interlocked.Exchange(ref _lastReleased, Environment.TickCount64);
    }

    /// <summary>Takes <paramref name="amount"/> for as long as the returned lease is not disposed; null when it does not fit.</summary>
    public Lease? TryLease(long amount) => TryTake(amount) ? new Lease(this, amount) : null;

    /// <summary>An amount held until disposed (once).</summary>
    public sealed class Lease(InFlightBudget budget, long amount) : IDisposable
    {
        private long _amount = amount;

        public long Amount => Interlocked.Read(ref _amount);

        /// <summary>Takes <paramref name="more"/> into this lease; false (nothing taken) when it does not fit.</summary>
        public bool TryGrow(long more)
        {
            if (!budget.TryTake(more)) return false;
            Interlocked.Add(ref _amount, more);
            return true;
        }

        /// <summary>Gives back <paramref name="less"/> of what this lease holds.</summary>
        public void Shrink(long less)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(less);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(less, Amount);
            Interlocked.Add(ref _amount, -less);
            budget.Release(less);
        }

        public void Dispose()
        {
            var held = Interlocked.Exchange(ref _amount, 0);
            if (held != 0) budget.Release(held);
        }
    }
}
