using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>Moves raw little-endian element bytes between streams and contiguous 1-D CPU tensors, in chunks so a
/// storage larger than a Span can address (2 GiB) still works.</summary>
internal static class TensorBytes
{
    public const long DefaultChunkBytes = 64L << 20;

    public delegate void ChunkAction(ReadOnlySpan<byte> chunk);

    /// <summary>Fills <paramref name="flat"/> (contiguous, 1-D, CPU) from <paramref name="source"/>.</summary>
    /// <exception cref="EndOfStreamException">The source ends first.</exception>
    public static void Fill(Tensor flat, Stream source, long chunkBytes = DefaultChunkBytes)
    {
        foreach (var (start, length) in Chunks(flat, chunkBytes))
        {
            using var part = flat.narrow(0, start, length);
            source.ReadExactly(part.bytes);
        }
    }

    /// <summary>Hands the bytes of <paramref name="flat"/> (contiguous, 1-D, CPU) to <paramref name="action"/> in order.</summary>
    public static void ForEachChunk(Tensor flat, ChunkAction action, long chunkBytes = DefaultChunkBytes)
    {
        foreach (var (start, length) in Chunks(flat, chunkBytes))
        {
            using var part = flat.narrow(0, start, length);
            action(part.bytes);
        }
    }

    private static IEnumerable<(long Start, long Length)> Chunks(Tensor flat, long chunkBytes)
    {
        var elementCount = flat.numel();
        var chunkElements = Math.Max(1, chunkBytes / flat.ElementSize);
        for (long start = 0; start < elementCount; start += chunkElements)
        {
            yield return (start, Math.Min(chunkElements, elementCount - start));
        }
    }
}
