namespace CornerNet.Service.Batching;

/// <summary>Why a request gave up on the images it queued; the worker counts the images it drops under this reason.</summary>
public enum AbandonReason
{
    /// <summary>The client went away (connection reset or request aborted).</summary>
    ClientGone,

    /// <summary>The request's deadline (Batching:RequestTimeoutSeconds) passed.</summary>
    Timeout,

    /// <summary>Another image of the same request found the queue full; the request was answered 503.</summary>
    QueueFull,

    /// <summary>The service is stopping.</summary>
    ShuttingDown,
}

/// <summary>
/// One request's hold on its queued images: cancelled when the client goes away or when the request gives up, with the
/// reason it gave up, so that dropped images are counted as what they are (a timeout is not a client that left).
/// </summary>
public sealed class RequestAbandonment(CancellationToken requestAborted) : IDisposable
{
    private readonly CancellationTokenSource _source = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
    private int _reason = (int)AbandonReason.ClientGone;
    private int _given;

    public CancellationToken Token => _source.Token;

    /// <summary>The reason given to <see cref="AbandonAsync"/>, or <see cref="AbandonReason.ClientGone"/> when the
    /// request itself was aborted.</summary>
    public AbandonReason Reason => (AbandonReason)Volatile.Read(ref _reason);

    /// <summary>Gives up on the request's queued images; the first reason given stands.</summary>
    public Task AbandonAsync(AbandonReason reason)
    {
        if (!_source.IsCancellationRequested && Interlocked.Exchange(ref _given, 1) == 0)
        {
            Volatile.Write(ref _reason, (int)reason);
        }

        return _source.CancelAsync();
    }

    public static string Label(AbandonReason reason) => reason switch
    {
        AbandonReason.ClientGone => "client_gone",
        AbandonReason.Timeout => "timeout",
        AbandonReason.QueueFull => "queue_full",
        AbandonReason.ShuttingDown => "shutdown",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public void Dispose() => _source.Dispose();
}
