using System.IO.Compression;
using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// PyTorch's zip format (torch.save since 1.6): <c>&lt;folder&gt;/data.pkl</c>, storages in <c>&lt;folder&gt;/data/&lt;key&gt;</c>,
/// <c>&lt;folder&gt;/version</c> and, in newer files, <c>&lt;folder&gt;/byteorder</c>. The folder name varies.
/// </summary>
internal sealed class ZipCheckpointSource : ICheckpointSource, IDisposable
{
    /// <summary>A state dict's pickle is small (names and shapes); anything bigger is not a checkpoint we want.</summary>
    private const long MaxPickleBytes = 256L << 20;

    /// <summary>Deflate cannot expand data more than about 1032 times; a larger claim is a lie or a bomb.</summary>
    private const long MaxDeflateRatio = 1100;

    private readonly ZipArchive _archive;
    private readonly string? _source;
    private readonly string _folder;
    private readonly long _archiveLength;
    private readonly PersistentStorages _storages = new(legacy: false);

    public ZipCheckpointSource(Stream stream, string? source)
    {
        _source = source;
        _archiveLength = stream.Length - stream.Position;
        _archive = Guard("is not a readable zip archive", () => new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true));
        try
        {
            _folder = FindFolder();
            CheckByteOrder();
            if (Find("constants.pkl") is not null)
            {
                throw Fail("is a TorchScript archive (torch.jit.save), not a torch.save checkpoint");
            }

            var pickle = ReadSmallEntry(Find("data.pkl")!, MaxPickleBytes);
            using var pickleStream = new MemoryStream(pickle, writable: false);
            Root = new PickleReader(pickleStream, Describe("data.pkl"), _storages.Load).Load();
        }
        catch
        {
            _archive.Dispose();
            throw;
        }
    }

    public object? Root { get; }

    public void ReadStorages(IReadOnlySet<StorageRecord> needed, Action<StorageRecord, Tensor> onStorage)
    {
        // Entries of a well-formed archive do not overlap, so their compressed sizes add up to at most the archive's
        // size; entries that share one deflate stream (the overlapping-entries zip bomb) claim more.
        long compressedTotal = 0;
        foreach (var record in _storages.ByKey.Values.Where(needed.Contains))
        {
            compressedTotal += Find($"data/{record.Key}")?.CompressedLength ?? 0;
            if (compressedTotal > _archiveLength)
            {
                throw Fail($"its storage entries claim more compressed bytes than the {_archiveLength}-byte archive holds (they overlap)");
            }
        }

        foreach (var record in _storages.ByKey.Values.Where(needed.Contains))
        {
            var name = $"data/{record.Key}";
            var entry = Find(name) ?? throw Fail($"storage '{record.Key}' is missing ({_folder}/{name} not in the archive)");
            var needBytes = record.ByteCount;
            if (entry.Length < needBytes)
            {
                throw Fail($"truncated: storage {record.Key} needs {needBytes} bytes, {entry.Length} remain");
            }

            var compressed = entry.CompressedLength;
            if (compressed > _archiveLength || needBytes > compressed * MaxDeflateRatio + 1024)
            {
                throw Fail($"storage {record.Key} claims {needBytes} bytes but only {Math.Min(compressed, _archiveLength)} bytes are stored");
            }

            using var storage = empty(record.ElementCount, record.DataType);
            Guard($"storage {record.Key} is corrupt", () =>
            {
                using var data = entry.Open();
                try
                {
                    TensorBytes.Fill(storage, data);
                }
                catch (EndOfStreamException)
                {
                    throw Fail($"truncated: storage {record.Key} needs {needBytes} bytes, the archive entry ends early");
                }

                return true;
            });
            onStorage(record, storage);
        }
    }

    public void Dispose() => _archive.Dispose();

    /// <summary>The one folder holding data.pkl. PyTorch names it after the file (older) or "archive" (newer).</summary>
    private string FindFolder()
    {
        var folders = Guard("has a corrupt central directory", () => _archive.Entries
            .Select(entry => entry.FullName)
            .Where(name => name.EndsWith("/data.pkl", StringComparison.Ordinal) && name.IndexOf('/') == name.Length - "/data.pkl".Length)
            .Select(name => name[..^"/data.pkl".Length])
            .ToList());
        return folders.Count switch
        {
            1 => folders[0],
            0 => throw Fail("is a zip archive without <folder>/data.pkl: not a PyTorch checkpoint"),
            _ => throw Fail($"is a zip archive with several data.pkl folders ({string.Join(", ", folders)})"),
        };
    }

    private void CheckByteOrder()
    {
        if (Find("byteorder") is not { } entry) return; // files before PyTorch 2.1 are little-endian
        var order = System.Text.Encoding.ASCII.GetString(ReadSmallEntry(entry, 64)).Trim();
        if (order != "little") throw Fail($"uses byte order '{order}'; only little-endian checkpoints are supported");
    }

    private ZipArchiveEntry? Find(string name) => Guard("has a corrupt central directory", () => _archive.GetEntry($"{_folder}/{name}"));

    private byte[] ReadSmallEntry(ZipArchiveEntry entry, long maxBytes) => Guard($"has a corrupt entry {entry.FullName}", () =>
    {
        using var data = entry.Open();
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = data.Read(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
            if (copy.Length > maxBytes) throw Fail($"entry {entry.FullName} is larger than {maxBytes} bytes");
        }

        return copy.ToArray();
    });

    private string Describe(string entryName) =>
        string.IsNullOrEmpty(_source) ? $"{_folder}/{entryName}" : $"{_source} ({_folder}/{entryName})";

    private CheckpointFormatException Fail(string problem) => new(CheckpointFormatException.Describe(_source, problem));

    /// <summary>System.IO.Compression reports damaged archives with several exception types; all mean "corrupt".</summary>
    private T Guard<T>(string problem, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or NotSupportedException
                                              or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            throw new CheckpointFormatException(CheckpointFormatException.Describe(_source, $"{problem}: {exception.Message}"), exception);
        }
    }
}
