using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CornerNet.Tests.Shared;

/// <summary>
/// The lying and cut-off images of issue 15, made from scratch: files whose headers declare far more pixels than their
/// data holds, which decoders used to fill in and report as whole images.
/// </summary>
public static class HostileImages
{
    /// <summary>A well-formed PNG (valid CRCs, complete zlib stream, IEND) whose IHDR declares
    /// <paramref name="width"/> x <paramref name="height"/> RGB pixels but whose data holds only
    /// <paramref name="rows"/> rows (black). 6324 x 6324 with 4 rows is the 153-byte probe; with every row it is a
    /// complete black image.</summary>
    public static byte[] LyingPng(int width, int height, int rows)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(new byte[rows * (1 + width * 3)]); // filter byte 0 and black pixels, row after row
        }

        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WritePngChunk(stream, "IHDR", ihdr);
        WritePngChunk(stream, "IDAT", compressed.ToArray());
        WritePngChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    /// <summary>A copy of a baseline JPEG whose frame header is rewritten to declare <paramref name="width"/> x
    /// <paramref name="height"/>: markers intact, ending in its end-of-image marker, its scan far too short. Made from
    /// a small JPEG this is the 784-byte probe.</summary>
    public static byte[] LyingJpeg(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        int pos = 2;
        while (pos + 4 < copy.Length)
        {
            if (copy[pos] != 0xFF) throw new ArgumentException("Not a well-formed JPEG header.", nameof(jpeg));
            byte code = copy[pos + 1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(pos + 2));
            if (code is 0xC0 or 0xC1 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(pos + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(pos + 7), (ushort)width);
                return copy;
            }

            pos += 2 + length;
        }

        throw new ArgumentException("No frame header found.", nameof(jpeg));
    }

    /// <summary>The first <paramref name="fraction"/> of <paramref name="bytes"/>.</summary>
    public static byte[] Cut(byte[] bytes, double fraction) => bytes[..(int)(bytes.Length * fraction)];

    public static void WritePngChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        stream.Write(word);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }

        return ~crc;
    }
}
