namespace CornerNet.Model.Checkpoints;

/// <summary>The CRC-32 zip entries carry (IEEE polynomial, reflected), computed incrementally.</summary>
internal static class ZipCrc32
{
    private static readonly uint[] Table = BuildTable();

    public const uint Initial = 0;

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var value = ~crc;
        foreach (var b in data)
        {
            value = Table[(value ^ b) & 0xFF] ^ (value >> 8);
        }

        return ~value;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < table.Length; n++)
        {
            var c = n;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
