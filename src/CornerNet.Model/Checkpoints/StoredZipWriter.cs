using System.Buffers.Binary;
using System.Text;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// Writes a zip archive of uncompressed entries whose data start on 64-byte boundaries, as PyTorch's own writer
/// does (so the storages can be memory-mapped). Archives are limited to 4 GiB (no Zip64).
/// </summary>
internal sealed class StoredZipWriter
{
    private const int Alignment = 64;
    private const ushort VersionNeeded = 20;
    private const ushort PaddingFieldId = 0x4246; // the extra-field id PyTorch uses for its alignment padding
    private const ushort DosDate1980January1 = (1 << 5) | 1; // fixed timestamp: identical inputs give identical files

    private readonly Stream _output;
    private readonly List<(byte[] Name, uint Crc, uint Size, uint Offset)> _entries = [];

    public StoredZipWriter(Stream output)
    {
        _output = output;
    }

    public delegate void DataWriter(Stream output);

    /// <summary>Adds an entry whose <paramref name="size"/> bytes (with CRC <paramref name="crc"/>) <paramref name="writeData"/> writes.</summary>
    public void AddEntry(string name, long size, uint crc, DataWriter writeData)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var offset = CheckedZip32(_output.Position, "archive");
        var size32 = CheckedZip32(size, name);

        const int localHeaderSize = 30;
        var dataStart = offset + localHeaderSize + nameBytes.Length;
        var padding = (int)((Alignment - dataStart % Alignment) % Alignment);
        if (padding is > 0 and < 4) padding += Alignment; // an extra field needs at least its 4-byte header

        Span<byte> header = stackalloc byte[localHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0); // flags
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 0); // stored
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 0); // time
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], DosDate1980January1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], size32);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], size32);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)padding);
        _output.Write(header);
        _output.Write(nameBytes);
        if (padding > 0)
        {
            Span<byte> extra = stackalloc byte[padding];
            extra.Fill((byte)'Z');
            BinaryPrimitives.WriteUInt16LittleEndian(extra, PaddingFieldId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)(padding - 4));
            _output.Write(extra);
        }

        var before = _output.Position;
        writeData(_output);
        if (_output.Position - before != size)
        {
            throw new InvalidOperationException($"Zip entry {name} was declared as {size} bytes but {_output.Position - before} were written.");
        }

        _entries.Add((nameBytes, crc, size32, offset));
    }

    public void AddEntry(string name, byte[] data) =>
        AddEntry(name, data.Length, ZipCrc32.Append(ZipCrc32.Initial, data), output => output.Write(data));

    /// <summary>Writes the central directory and the end record.</summary>
    public void Finish()
    {
        var directoryStart = CheckedZip32(_output.Position, "archive");
        Span<byte> record = stackalloc byte[46];
        foreach (var (name, crc, size, offset) in _entries)
        {
            record.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(record, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(record[4..], VersionNeeded); // made by
            BinaryPrimitives.WriteUInt16LittleEndian(record[6..], VersionNeeded);
            BinaryPrimitives.WriteUInt16LittleEndian(record[8..], 0); // flags
            BinaryPrimitives.WriteUInt16LittleEndian(record[10..], 0); // stored
            BinaryPrimitives.WriteUInt16LittleEndian(record[12..], 0); // time
            BinaryPrimitives.WriteUInt16LittleEndian(record[14..], DosDate1980January1);
            BinaryPrimitives.WriteUInt32LittleEndian(record[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(record[24..], size);
            BinaryPrimitives.WriteUInt16LittleEndian(record[28..], (ushort)name.Length);
            // extra length, comment length, disk, internal and external attributes stay 0
            BinaryPrimitives.WriteUInt32LittleEndian(record[42..], offset);
            _output.Write(record);
            _output.Write(name);
        }

        var directorySize = CheckedZip32(_output.Position - directoryStart, "central directory");
        if (_entries.Count > ushort.MaxValue) throw new NotSupportedException("Zip archives of more than 65535 entries need Zip64, which this writer does not produce.");

        Span<byte> end = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], directoryStart);
        _output.Write(end);
    }

    private static uint CheckedZip32(long value, string what) =>
        value < uint.MaxValue
            ? (uint)value
            : throw new NotSupportedException($"The {what} exceeds 4 GiB, which needs Zip64; this writer does not produce Zip64.");
}
