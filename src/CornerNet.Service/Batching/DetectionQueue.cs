using System.Threading.Channels;
using CornerNet.Service.Configuration;

namespace CornerNet.Service.Batching;

/// <summary>The bounded queue between request threads and one model's batching worker.</summary>
public sealed class DetectionQueue
{
    private readonly Channel<DetectionJob> _channel;
    private int _outstanding;
    private volatile bool _closed;

    public DetectionQueue(BatchingOptions options, TimeProvider clock)
    {
        _channel = Channel.CreateBounded<DetectionJob>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Arrivals = new ArrivalGaps(clock);
    }

    public ChannelReader<DetectionJob> Reader => _channel.Reader;

    /// <summary>Images waiting in the channel now.</summary>
    public int Depth => _channel.Reader.Count;

    /// <summary>Images accepted and not yet answered or dropped: queued, being formed into a batch, or running.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Whether new jobs are still taken (false once shutdown has begun).</summary>
    public bool IsOpen => !_closed;

    /// <summary>How closely images have been arriving.</summary>
    public ArrivalGaps Arrivals { get; }

    /// <summary>Never waits: a full (or closed) queue answers false at once, so the caller can return 503.</summary>
    public bool TryEnqueue(DetectionJob job)
    {
        Interlocked.Increment(ref _outstanding);
        if (!_channel.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _outstanding);
            return false;
        }

        Arrivals.Record();
        return true;
    }

    /// <summary>The worker answered or dropped <paramref name="jobs"/> jobs.</summary>
    public void Left(int jobs) => Interlocked.Add(ref _outstanding, -jobs);

    /// <summary>Stops taking new jobs; those already queued can still be read.</summary>
    public void Close()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }
}
