using System.Buffers;

namespace CornerNet.Service.Api;

/// <summary>
/// Reads a stream as its bytes arrive into 64 KB chunks rented from the shared pool, so what a request holds grows
/// with what it has sent, never with what its Content-Length claims; each chunk is first taken from the body-bytes
/// budget (<see cref="RequestBudgets.BodyBytes"/>). <see cref="ToArray"/> gives the bytes as one array (still counted
/// by the lease, which the request keeps until it ends); disposing returns the chunks and the part of the lease they
/// held beyond that array.
/// </summary>
internal sealed class PooledBodyBuffer(InFlightBudget.Lease lease) : IDisposable
{
    private const int ChunkBytes = 64 * 1024;

    private readonly List<byte[]> _chunks = [];
    private int _lastChunkUsed = ChunkBytes;
    private bool _copied;

    public long Length { get; private set; }

    /// <summary>
    /// Appends everything <paramref name="source"/> holds; throws <paramref name="tooLarge"/>'s exception once more
    /// than <paramref name="limit"/> bytes have arrived, and <paramref name="overBudget"/>'s when the shared budget is
    /// spent.
    /// </summary>
    public async Task ReadToEndAsync(Stream source, long limit, Func<Exception> tooLarge, Func<Exception> overBudget, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_lastChunkUsed == ChunkBytes)
            {
                if (!lease.TryGrow(ChunkBytes)) throw overBudget();
                _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkBytes));
                _lastChunkUsed = 0;
            }

            int read = await source.ReadAsync(_chunks[^1].AsMemory(_lastChunkUsed, ChunkBytes - _lastChunkUsed), cancellationToken);
            if (read == 0) return;
            _lastChunkUsed += read;
            Length += read;
            if (Length > limit) throw tooLarge();
        }
    }

    /// <summary>The bytes read, as one array of exactly <see cref="Length"/> bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        long copied = 0;
        foreach (var chunk in _chunks)
        {
            int n = (int)Math.Min(ChunkBytes, Length - copied);
            chunk.AsSpan(0, n).CopyTo(bytes.AsSpan((int)copied));
            copied += n;
        }

        _copied = true;
        return bytes;
    }

    public void Dispose()
    {
        foreach (var chunk in _chunks) ArrayPool<byte>.Shared.Return(chunk);
        lease.Shrink((long)_chunks.Count * ChunkBytes - (_copied ? Length : 0));
        _chunks.Clear();
    }
}
