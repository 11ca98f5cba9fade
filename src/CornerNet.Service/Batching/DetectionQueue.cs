using System.Threading.Channels;
using CornerNet.Service.Configuration;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Batching;

/// <summary>The bounded queue between request threads and the one batching worker.</summary>
public sealed class DetectionQueue
{
    private readonly Channel<DetectionJob> _channel;

    public DetectionQueue(IOptions<BatchingOptions> options)
    {
        _channel = Channel.CreateBounded<DetectionJob>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ChannelReader<DetectionJob> Reader => _channel.Reader;

    /// <summary>Images waiting now.</summary>
    public int Depth => _channel.Reader.Count;

    /// <summary>Never waits: a full (or closed) queue answers false at once, so the caller can return 503.</summary>
    public bool TryEnqueue(DetectionJob job) => _channel.Writer.TryWrite(job);

    /// <summary>Stops taking new jobs; those already queued can still be read.</summary>
    public void Close() => _channel.Writer.TryComplete();
}
