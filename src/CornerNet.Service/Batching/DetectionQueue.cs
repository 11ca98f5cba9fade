using System.Threading.Channels;
using CornerNet.Service.Configuration;

namespace CornerNet.Service.Batching;

/// <summary>The bounded queue between request threads and one model's batching worker.</summary>
public sealed class DetectionQueue
{
    private readonly Channel<DetectionJob> _channel;
    private readonly Lock _writing = new();
    private readonly int _capacity;
    private int _outstanding;
    private volatile bool _closed;

    public DetectionQueue(BatchingOptions options, TimeProvider clock)
    {
        _capacity = options.QueueCapacity;
        _channel = Channel.CreateBounded<DetectionJob>(new BoundedChannelOptions(_capacity)
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
    public bool TryEnqueue(DetectionJob job) => TryEnqueueAll([job]);

    /// <summary>
    /// Queues all of <paramref name="jobs"/> (one request's images) or none: false at once, with nothing queued, when
    /// the queue has not room for them all or is closed. Writers take turns, so room seen is room kept (the worker only
    /// makes more), and a request is never half queued, half refused.
    /// </summary>
    public bool TryEnqueueAll(IReadOnlyList<DetectionJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        lock (_writing)
        {
            if (_closed || _capacity - _channel.Reader.Count < jobs.Count) return false;
            Interlocked.Add(ref _outstanding, jobs.Count);
            foreach (var job in jobs)
            {
                // Cannot fail: only writers fill the channel, and they hold this lock; Close takes it too.
                if (!_channel.Writer.TryWrite(job)) throw new InvalidOperationException("The detection queue refused a job it had room for.");
                Arrivals.Record();
            }

            return true;
        }
    }

    /// <summary>The worker answered or dropped <paramref name="jobs"/> jobs.</summary>
    public void Left(int jobs) => Interlocked.Add(ref _outstanding, -jobs);

    /// <summary>Stops taking new jobs; those already queued can still be read.</summary>
    public void Close()
    {
        lock (_writing)
        {
            _closed = true;
            _channel.Writer.TryComplete();
        }
    }
}
