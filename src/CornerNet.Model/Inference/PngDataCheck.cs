using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace CornerNet.Model.Inference;

/// <summary>
/// Proves that a PNG holds every row its header declares before any decoder allocates them. The image data (the
/// IDAT chunks, one zlib stream) is inflated into a small reused scratch buffer and its bytes are counted against the
/// rows × (filter byte + row bytes) the header implies (per Adam7 pass when interlaced); nothing is kept. Decoders fill
/// the rows a cut-off PNG lacks (a 153-byte file declaring 6324x6324 became a 40-megapixel image) and report success;
/// here it is refused. Inflating stops as soon as the declared amount is reached, so the cost is bounded by the size
/// limits, and data after the last row (or a missing IEND) is left to the decoder as before.
/// </summary>
public static class PngDataCheck
{
    private const int ScratchBytes = 64 * 1024;

    // Adam7: x start, y start, x step, y step of each pass.
    private static readonly (int X, int Y, int StepX, int StepY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Bytes of filtered image data a PNG with this header must inflate to.</summary>
    public static long ExpectedBytes(int width, int height, int bitDepth, int colourType, bool interlaced)
    {
        int channels = colourType switch
        {
            0 => 1, // grey
            2 => 3, // RGB
            3 => 1, // palette index
            4 => 2, // grey + alpha
            6 => 4, // RGBA
            _ => throw new UndecodableImageException($"The PNG header has an unknown colour type {colourType}."),
        };
        if (bitDepth is not (1 or 2 or 4 or 8 or 16)) throw new UndecodableImageException($"The PNG header has an invalid bit depth {bitDepth}.");
        long bitsPerPixel = (long)channels * bitDepth;
        if (!interlaced) return height * (1 + ((width * bitsPerPixel) + 7) / 8);

        long total = 0;
        foreach (var (x, y, stepX, stepY) in Adam7)
        {
            long passWidth = width > x ? (width - x + stepX - 1) / stepX : 0;
            long passHeight = height > y ? (height - y + stepY - 1) / stepY : 0;
            if (passWidth > 0 && passHeight > 0) total += passHeight * (1 + ((passWidth * bitsPerPixel) + 7) / 8);
        }

        return total;
    }

    /// <summary>Refuses a PNG whose image data ends before the rows its header declares.</summary>
    /// <exception cref="UndecodableImageException">The data is cut short, corrupt, or the header is malformed.</exception>
    public static void EnsureComplete(ReadOnlyMemory<byte> png)
    {
        var data = png.Span;
        if (data.Length < 33 || !data[12..].StartsWith("IHDR"u8)) throw new UndecodableImageException("The PNG image has no IHDR header.");
        int width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data[16..]), int.MaxValue);
        int height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data[20..]), int.MaxValue);
        long expected = ExpectedBytes(width, height, data[24], data[25], data[28] == 1);

        long inflated;
        using (var zlib = new ZLibStream(new IdatStream(png), CompressionMode.Decompress))
        {
            inflated = InflateUpTo(zlib, expected);
        }

        if (inflated < expected)
        {
            long rowBytes = expected / Math.Max(1, height);
            string rows = data[28] == 1 ? "" : $" ({inflated / Math.Max(1, rowBytes)} of {height} rows)";
            throw new UndecodableImageException(
                $"The PNG image is truncated: its header declares {width}x{height} pixels, {expected} bytes of image data, but the data holds {inflated}{rows}.");
        }
    }

    private static long InflateUpTo(Stream zlib, long expected)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(ScratchBytes);
        try
        {
            long total = 0;
            while (total < expected)
            {
                int read;
                try
                {
                    read = zlib.Read(scratch, 0, (int)Math.Min(ScratchBytes, expected - total));
                }
                catch (InvalidDataException e)
                {
                    // The data ends or breaks inside the deflate stream: a decoder fills or fails the rows after it.
                    throw new UndecodableImageException($"The PNG image data is corrupt after {total} of {expected} bytes ({e.Message}).", e);
                }

                if (read == 0) break;
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>The payloads of a PNG's IDAT chunks, read in order as one stream (a chunk cut short gives what it has).</summary>
    private sealed class IdatStream(ReadOnlyMemory<byte> png) : Stream
    {
        private int _next = 8; // the first chunk, after the signature
        private ReadOnlyMemory<byte> _current = ReadOnlyMemory<byte>.Empty;
        private bool _ended;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_current.IsEmpty && !_ended) NextIdat();
            int n = Math.Min(buffer.Length, _current.Length);
            _current.Span[..n].CopyTo(buffer);
            _current = _current[n..];
            return n;
        }

        private void NextIdat()
        {
            var data = png.Span;
            if (_next + 8 > data.Length)
            {
                _ended = true;
                return;
            }

            long length = BinaryPrimitives.ReadUInt32BigEndian(data[_next..]);
            var type = data.Slice(_next + 4, 4);
            int start = _next + 8;
            int available = (int)Math.Min(length, data.Length - start);
            _next = (int)Math.Min(data.Length, start + length + 4); // payload and CRC
            if (type.SequenceEqual("IDAT"u8))
            {
                _current = png.Slice(start, available);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                _ended = true;
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
