namespace CornerNet.Service.Batching;

/// <summary>
/// The time between recent arrivals of images in the queue: the median of the last few gaps tells the batching
/// worker whether waiting <c>MaxDelayMs</c> can fill a batch (images arriving close together) or not (one client at a
/// time). The median, not the mean, so that closed-loop clients (a burst, then a pause while they wait) read as a burst.
/// </summary>
public sealed class ArrivalGaps(TimeProvider clock)
{
    public const int Window = 8;

    private readonly long[] _gaps = new long[Window];
    private readonly Lock _lock = new();
    private long _last;
    private int _count;
    private int _next;

    public void Record() => Record(clock.GetTimestamp());

    public void Record(long now)
    {
        lock (_lock)
        {
            if (_last != 0)
            {
                _gaps[_next] = now - _last;
                _next = (_next + 1) % Window;
                _count = Math.Min(_count + 1, Window);
            }

            _last = now;
        }
    }

    /// <summary>The median of the recent gaps, or null before there are <see cref="Window"/> of them.</summary>
    public TimeSpan? Typical()
    {
        long median;
        lock (_lock)
        {
            if (_count < Window) return null;
            var sorted = (long[])_gaps.Clone();
            Array.Sort(sorted);
            median = sorted[Window / 2];
        }

        return TimeSpan.FromSeconds(median / (double)clock.TimestampFrequency);
    }
}
