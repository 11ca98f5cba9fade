using System.Buffers.Binary;

namespace CornerNet.Model.Inference;

/// <summary>The encoded formats <see cref="ImageLoader"/> recognises from their first bytes.</summary>
public enum EncodedImageFormat
{
    Jpeg,
    Png,
    Bmp,
    Webp,
    Gif,
    Tiff,
}

/// <summary>
/// Reads an encoded image's format and size from its header alone, without decoding any pixel, so that the size
/// limits are enforced before a decoder allocates anything. For JPEG it also walks the marker structure to the
/// end-of-image marker: bytes after it are ignored (as libjpeg does); a stream that ends before it is truncated.
/// </summary>
public static class ImageHeader
{
    /// <summary>The format the signature says, or null when the bytes start like none of them.</summary>
    public static EncodedImageFormat? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return EncodedImageFormat.Jpeg;
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return EncodedImageFormat.Png;
        if (data.Length >= 26 && data[0] == (byte)'B' && data[1] == (byte)'M') return EncodedImageFormat.Bmp;
        if (data.Length >= 16 && data.StartsWith("RIFF"u8) && data[8..].StartsWith("WEBP"u8)) return EncodedImageFormat.Webp;
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)) return EncodedImageFormat.Gif;
        if (data.StartsWith((ReadOnlySpan<byte>)[0x49, 0x49, 0x2A, 0x00]) || data.StartsWith((ReadOnlySpan<byte>)[0x4D, 0x4D, 0x00, 0x2A]))
        {
            return EncodedImageFormat.Tiff;
        }

        return null;
    }

    /// <summary>The name used in error messages (the same names ImageSharp uses).</summary>
    public static string NameOf(EncodedImageFormat format) => format switch
    {
        EncodedImageFormat.Jpeg => "JPEG",
        EncodedImageFormat.Png => "PNG",
        EncodedImageFormat.Bmp => "BMP",
        EncodedImageFormat.Webp => "Webp",
        EncodedImageFormat.Gif => "GIF",
        EncodedImageFormat.Tiff => "TIFF",
        _ => format.ToString(),
    };

    /// <summary>
    /// Width and height from the header of a JPEG, PNG, BMP, WebP or GIF (TIFF is not read here).
    /// </summary>
    /// <exception cref="UndecodableImageException">The header is missing, cut short or malformed.</exception>
    public static (int Width, int Height) ReadSize(EncodedImageFormat format, ReadOnlySpan<byte> data) => format switch
    {
        EncodedImageFormat.Jpeg => ReadJpeg(data).Size,
        EncodedImageFormat.Png => ReadPng(data),
        EncodedImageFormat.Bmp => ReadBmp(data),
        EncodedImageFormat.Webp => ReadWebp(data),
        EncodedImageFormat.Gif => ReadGif(data),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "No header reader for this format."),
    };

    /// <summary>
    /// Walks a JPEG's segments and entropy-coded data to its end-of-image marker. Returns the frame size and the
    /// number of bytes up to and including the marker, or null for <c>Length</c> when the data ends before it
    /// (truncated: the caller refuses it, after checking the size).
    /// </summary>
    /// <exception cref="UndecodableImageException">No frame header, no scan, or a malformed segment.</exception>
    public static ((int Width, int Height) Size, int? Length) ReadJpeg(ReadOnlySpan<byte> data)
    {
        (int Width, int Height)? size = null;
        byte frameCode = 0;
        Span<(byte Id, int H, int V)> components = stackalloc (byte, int, int)[4];
        int componentCount = 0;
        bool scanned = false;
        int pos = 2; // after SOI
        while (true)
        {
            // Find the next marker: libjpeg skips stray bytes (with a warning), and any number of 0xFF fill bytes.
            while (pos < data.Length && data[pos] != 0xFF) pos++;
            while (pos < data.Length && data[pos] == 0xFF) pos++;
            if (pos >= data.Length) return Incomplete(size);
            byte code = data[pos++];
            if (code == 0xD9)
            {
                if (size is null || !scanned) throw new UndecodableImageException("The JPEG image has no image data (end-of-image before any scan).");
                return (size.Value, pos);
            }

            if (code is 0x01 or (>= 0xD0 and <= 0xD8)) continue; // standalone markers (TEM, RSTn; a stray SOI)
            if (pos + 2 > data.Length) return Incomplete(size);
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2) throw new UndecodableImageException($"The JPEG image has a segment (marker 0x{code:X2}) with an invalid length {length}.");
            if (pos + length > data.Length) return Incomplete(size);
            var segment = data.Slice(pos + 2, length - 2);
            pos += length;

            bool startOfFrame = code is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);
            if (startOfFrame && size is null)
            {
                if (segment.Length < 6) throw new UndecodableImageException("The JPEG frame header is too short.");
                int height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                if (width == 0 || height == 0)
                {
                    // Height 0 means "given later in a DNL marker", which libjpeg does not support either.
                    throw new UndecodableImageException($"The JPEG frame header declares {width}x{height} pixels.");
                }

                size = (width, height);
                frameCode = code;
                componentCount = Math.Min(segment[5], components.Length);
                for (int c = 0; c < componentCount && 6 + 3 * c + 1 < segment.Length; c++)
                {
                    byte sampling = segment[6 + 3 * c + 1];
                    components[c] = (segment[6 + 3 * c], Math.Max(1, sampling >> 4), Math.Max(1, sampling & 0x0F));
                }
            }
            else if (code == 0xDA)
            {
                if (size is null) throw new UndecodableImageException("The JPEG image has a scan before its frame header.");
                scanned = true;
                long leastBits = LeastScanBits(frameCode, size.Value, components[..componentCount], segment);
                int scanStart = pos;
                // Entropy-coded data: a marker is 0xFF followed by anything but 0x00 (a stuffed byte) or RSTn.
                while (true)
                {
                    int next = data[pos..].IndexOf((byte)0xFF);
                    if (next < 0 || pos + next + 1 >= data.Length) return Incomplete(size);
                    pos += next;
                    byte after = data[pos + 1];
                    if (after == 0x00 || after is >= 0xD0 and <= 0xD7 || after == 0xFF)
                    {
                        pos += after == 0xFF ? 1 : 2;
                        continue;
                    }

                    break;
                }

                if ((long)(pos - scanStart) * 8 < leastBits)
                {
                    // Each block of a Huffman-coded scan costs at least one bit per code it must hold; a scan shorter
                    // than that ends before its last rows (libjpeg fills them with grey and calls it a success).
                    throw new UndecodableImageException(
                        $"The JPEG image is truncated: its frame header declares {size.Value.Width}x{size.Value.Height} pixels, " +
                        $"whose scan needs at least {(leastBits + 7) / 8} bytes, but the scan holds {pos - scanStart}.");
                }
            }
        }
    }

    /// <summary>
    /// A lower bound on the entropy-coded bits of one scan, from the frame and scan headers alone: in a Huffman-coded
    /// sequential scan every 8x8 block holds a DC code and an AC code (at least one bit each; the end-of-block code
    /// when all AC coefficients are zero); in a progressive scan's first DC pass every block holds a DC code. Other
    /// scans (AC passes, refinements, arithmetic coding, lossless) are given no bound. Never above what a complete
    /// image needs, so no complete image is refused.
    /// </summary>
    private static long LeastScanBits(byte frameCode, (int Width, int Height) size, ReadOnlySpan<(byte Id, int H, int V)> frame, ReadOnlySpan<byte> scan)
    {
        int bitsPerBlock = frameCode switch
        {
            0xC0 or 0xC1 => 2,                                                          // sequential, Huffman
            0xC2 when scan.Length >= 1 + 2 * scan[0] + 3 && scan[1 + 2 * scan[0]] == 0 // progressive DC first pass
                                                          && scan[3 + 2 * scan[0]] >> 4 == 0 => 1,
            _ => 0,
        };
        if (bitsPerBlock == 0 || frame.IsEmpty || scan.Length < 1) return 0;
        int hMax = 1, vMax = 1;
        foreach (var (_, h, v) in frame)
        {
            hMax = Math.Max(hMax, h);
            vMax = Math.Max(vMax, v);
        }

        int inScan = scan[0];
        long blocks = 0;
        for (int s = 0; s < inScan && 1 + 2 * s < scan.Length; s++)
        {
            byte id = scan[1 + 2 * s];
            foreach (var (cid, h, v) in frame)
            {
                if (cid != id) continue;
                if (inScan == 1)
                {
                    // Non-interleaved: the component's own blocks.
                    long cols = ((size.Width * (long)h + hMax - 1) / hMax + 7) / 8;
                    long rows = ((size.Height * (long)v + vMax - 1) / vMax + 7) / 8;
                    blocks += cols * rows;
                }
                else
                {
                    // Interleaved: every MCU holds h x v blocks of the component.
                    long mcuCols = (size.Width + 8L * hMax - 1) / (8L * hMax);
                    long mcuRows = (size.Height + 8L * vMax - 1) / (8L * vMax);
                    blocks += mcuCols * mcuRows * h * v;
                }
            }
        }

        return blocks * bitsPerBlock;
    }

    private static ((int Width, int Height) Size, int? Length) Incomplete((int Width, int Height)? size) =>
        size is { } known ? (known, null) : throw Truncated();

    /// <summary>The error for a JPEG whose data ends before its end-of-image marker.</summary>
    public static UndecodableImageException Truncated() =>
        new("The JPEG image is truncated (the data ends before its end-of-image marker).");

    private static (int, int) ReadPng(ReadOnlySpan<byte> data)
    {
        // Signature (8), IHDR length (4) and type (4), then width and height.
        if (data.Length < 33 || !data[12..].StartsWith("IHDR"u8)) throw new UndecodableImageException("The PNG image has no IHDR header.");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
        CheckPngChunkLengths(data);
        return Checked("PNG", width, height);
    }

    /// <summary>
    /// Every chunk up to IEND must fit in the data with its CRC: OpenCV's PNG reader trusts a chunk's declared length
    /// (a 106-byte 8x6 PNG whose IDAT claimed 452 MB took 11 s to decode; found by fuzzing, docs/fuzzing.md). Data
    /// after IEND, or a file that ends cleanly between chunks without one, is left to the decoder.
    /// </summary>
    private static void CheckPngChunkLengths(ReadOnlySpan<byte> data)
    {
        long pos = 8;
        while (pos + 8 <= data.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)pos..]);
            long remaining = data.Length - pos - 12;
            if (length > remaining)
            {
                throw new UndecodableImageException(
                    $"The PNG image is truncated: the chunk at byte {pos} declares {length} bytes, but {Math.Max(0, remaining)} remain.");
            }

            if (data.Slice((int)pos + 4, 4).SequenceEqual("IEND"u8)) return;
            pos += 12 + length;
        }
    }

    private static (int, int) ReadBmp(ReadOnlySpan<byte> data)
    {
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (headerSize == 12)
        {
            return Checked("BMP", BinaryPrimitives.ReadUInt16LittleEndian(data[18..]), BinaryPrimitives.ReadUInt16LittleEndian(data[20..]));
        }

        if (headerSize < 40 || data.Length < 26) throw new UndecodableImageException($"The BMP image has an unknown header (size {headerSize}).");
        int width = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
        int height = BinaryPrimitives.ReadInt32LittleEndian(data[22..]);
        if (width <= 0 || height == int.MinValue) throw new UndecodableImageException($"The BMP header declares {width}x{height} pixels.");
        return Checked("BMP", (uint)width, (uint)Math.Abs(height)); // a negative height is a top-down bitmap
    }

    private static (int, int) ReadWebp(ReadOnlySpan<byte> data)
    {
        if (data.Length < 30) throw new UndecodableImageException("The WebP header is cut short.");
        var chunk = data.Slice(12, 4);
        var body = data[20..];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            uint width = 1 + (body[4] | ((uint)body[5] << 8) | ((uint)body[6] << 16));
            uint height = 1 + (body[7] | ((uint)body[8] << 8) | ((uint)body[9] << 16));
            return Checked("Webp", width, height);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (body[0] != 0x2F) throw new UndecodableImageException("The lossless WebP header has a wrong signature.");
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(body[1..]);
            return Checked("Webp", 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF));
        }

        if (chunk.SequenceEqual("VP8 "u8))
        {
            if (body[3] != 0x9D || body[4] != 0x01 || body[5] != 0x2A) throw new UndecodableImageException("The lossy WebP frame has a wrong start code.");
            return Checked("Webp", BinaryPrimitives.ReadUInt16LittleEndian(body[6..]) & 0x3FFFu, BinaryPrimitives.ReadUInt16LittleEndian(body[8..]) & 0x3FFFu);
        }

        throw new UndecodableImageException("The WebP image has an unknown first chunk.");
    }

    private static (int, int) ReadGif(ReadOnlySpan<byte> data)
    {
        if (data.Length < 10) throw new UndecodableImageException("The GIF header is cut short.");
        return Checked("GIF", BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]));
    }

    private static (int, int) Checked(string format, uint width, uint height)
    {
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw new UndecodableImageException($"The {format} header declares {width}x{height} pixels.");
        }

        return ((int)width, (int)height);
    }
}
