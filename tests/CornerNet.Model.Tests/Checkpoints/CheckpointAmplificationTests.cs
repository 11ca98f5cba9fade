using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Checkpoints;

/// <summary>
/// A small checkpoint may not cost gigabytes: what the archive and the pickle declare is checked against each other and
/// against the model before anything is decompressed (issue 15: a 1 MB deflate bomb reached 2.3 GB before refusal).
/// </summary>
public sealed class CheckpointAmplificationTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cornernet-amplification-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void A_deflate_bomb_larger_than_the_model_is_refused_before_it_is_decompressed()
    {
        // 256 MB of zeros deflate to about 256 KB; the Tiny model holds a few MB.
        const long elements = 64L << 20;
        var path = Path.Combine(_folder.FullName, "bomb.pth");
        using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            WriteEntry(zip, "archive/data.pkl", PickleWriter.StateDict([new("weight", ScalarType.Float32, [elements], "0")]));
            WriteEntry(zip, "archive/version", "3\n"u8.ToArray());
            using var data = zip.CreateEntry("archive/data/0", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (long written = 0; written < elements * 4; written += zeros.Length) data.Write(zeros);
        }

        Assert.True(new FileInfo(path).Length < 2 << 20, "the bomb is small");

        var error = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load(ArchitecturePresets.Tiny, path));

        Assert.Contains($"its tensors need {elements * 4} bytes, more than the", error.Message, StringComparison.Ordinal);
        Assert.Contains("the model can hold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_entries_that_share_one_stored_block_are_refused_as_overlapping()
    {
        const int elements = 1 << 18; // 1 MB per storage; the archive holds it once, two entries claim it
        using var buffer = new MemoryStream();
        var zip = new StoredZipWriter(buffer);
        zip.AddEntry("archive/data.pkl", PickleWriter.StateDict([
            new("a", ScalarType.Float32, [elements], "0"),
            new("b", ScalarType.Float32, [elements], "1"),
        ]));
        zip.AddEntry("archive/version", "3\n"u8.ToArray());
        var block = new byte[elements * 4];
        zip.AddEntry("archive/data/0", block);
        zip.AddEntry("archive/data/1", block);
        zip.Finish();
        var overlapping = PointSecondEntryAtFirst(buffer.ToArray(), "archive/data/0", "archive/data/1");

        var error = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(new MemoryStream(overlapping)));

        Assert.Contains("overlap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_tensors_viewing_one_storage_cannot_multiply_it()
    {
        // A few hundred bytes of pickle naming one 1 MB storage a thousand times would otherwise make a GB of copies.
        const int elements = 1 << 18;
        using var buffer = new MemoryStream();
        var zip = new StoredZipWriter(buffer);
        zip.AddEntry("archive/data.pkl", PickleWriter.StateDict(
            Enumerable.Range(0, 1000).Select(i => new PickleWriter.TensorEntry($"t{i}", ScalarType.Float32, [elements], "0"))));
        zip.AddEntry("archive/version", "3\n"u8.ToArray());
        zip.AddEntry("archive/data/0", new byte[elements * 4]);
        zip.Finish();
        buffer.Position = 0;

        var error = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(buffer));

        Assert.Contains($"its 1000 tensors claim {1000L * elements * 4} bytes from {elements * 4} bytes of storage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_within_the_limits_still_loads_with_its_views_intact()
    {
        using var scope = NewDisposeScope();
        using var buffer = new MemoryStream();
        var zip = new StoredZipWriter(buffer);
        zip.AddEntry("archive/data.pkl", PickleWriter.StateDict([
            new("a", ScalarType.Float32, [4], "0"),
            new("b", ScalarType.Float32, [4], "0"),
        ]));
        zip.AddEntry("archive/version", "3\n"u8.ToArray());
        var values = new float[] { 1, 2, 3, 4 };
        var bytes = new byte[16];
        Buffer.BlockCopy(values, 0, bytes, 0, 16);
        zip.AddEntry("archive/data/0", bytes);
        zip.Finish();
        buffer.Position = 0;

        using var stateDict = PyTorchCheckpointReader.Read(buffer, maxTensorBytes: 1024);

        Assert.Equal(values, stateDict["a"].data<float>().ToArray());
        stateDict["a"].add_(1); // the two tensors share a storage in the file but not in memory
        Assert.Equal(values, stateDict["b"].data<float>().ToArray());
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] data)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        stream.Write(data);
    }

    /// <summary>Rewrites a stored zip whose last entry before the central directory is <paramref name="second"/> so that
    /// its central record points at <paramref name="first"/>'s local header and its own bytes are gone.</summary>
    private static byte[] PointSecondEntryAtFirst(byte[] archive, string first, string second)
    {
        var end = archive.AsSpan(archive.Length - 22);
        var directoryStart = (int)BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
        var offsets = new Dictionary<string, (int Record, int Local)>();
        for (var position = directoryStart; position < archive.Length - 22;)
        {
            var record = archive.AsSpan(position);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record[28..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(record[30..]);
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(record[32..]);
            var name = Encoding.UTF8.GetString(record.Slice(46, nameLength));
            offsets[name] = (position, (int)BinaryPrimitives.ReadUInt32LittleEndian(record[42..]));
            position += 46 + nameLength + extraLength + commentLength;
        }

        var removedStart = offsets[second].Local;
        var removed = directoryStart - removedStart;
        var result = new List<byte>(archive.AsSpan(0, removedStart).ToArray());
        var directory = archive.AsSpan(directoryStart).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(directory.AsSpan(offsets[second].Record - directoryStart + 42), (uint)offsets[first].Local);
        BinaryPrimitives.WriteUInt32LittleEndian(directory.AsSpan(directory.Length - 22 + 16), (uint)(directoryStart - removed));
        result.AddRange(directory);
        return [.. result];
    }
}
