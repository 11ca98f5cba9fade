namespace CornerNet.Service.Tests.Batching;

/// <summary>A clock that moves only when told: the batching decisions tested without waiting or timing.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks = TimeSpan.FromHours(1).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;

    public long After(TimeSpan span) => _ticks + span.Ticks;
}
