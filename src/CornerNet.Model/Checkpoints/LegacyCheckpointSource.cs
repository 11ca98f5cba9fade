using System.Buffers.Binary;
using System.Numerics;
using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// PyTorch's format before 1.6 (and with <c>_use_new_zipfile_serialization=False</c>): consecutive pickles (magic
/// number, protocol version, system info, the object, the list of storage keys), then for each key in that order an
/// int64 little-endian element count followed by the storage's raw little-endian bytes.
/// </summary>
internal sealed class LegacyCheckpointSource : ICheckpointSource
{
    private static readonly BigInteger MagicNumber = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    private const long ProtocolVersion = 1001;

    private readonly Stream _stream;
    private readonly string? _source;
    private readonly PersistentStorages _storages = new(legacy: true);
    private readonly List<string> _storageKeysInFileOrder = [];

    public LegacyCheckpointSource(Stream stream, string? source)
    {
        _stream = stream;
        _source = source;

        var magic = new PickleReader(stream, source).Load();
        var magicValue = magic switch { long number => number, BigInteger big => big, _ => BigInteger.MinusOne };
        if (magicValue != MagicNumber) throw Fail("not a PyTorch checkpoint: the legacy format's magic number is missing");

        if (new PickleReader(stream, source).Load() is not long protocol || protocol != ProtocolVersion)
        {
            throw Fail($"unsupported legacy checkpoint protocol version (expected {ProtocolVersion})");
        }

        if (new PickleReader(stream, source).Load() is not PickleDict systemInfo) throw Fail("legacy system info is not a dict");
        if (systemInfo.TryGet("little_endian", out var littleEndian) && littleEndian is false)
        {
            throw Fail("was written on a big-endian machine; only little-endian checkpoints are supported");
        }

        Root = new PickleReader(stream, source, _storages.Load).Load();

        if (new PickleReader(stream, source).Load() is not List<object?> keys) throw Fail("legacy storage key list is not a list");
        foreach (var key in keys)
        {
            _storageKeysInFileOrder.Add(key as string ?? throw Fail("legacy storage key is not a string"));
        }
    }

    public object? Root { get; }

    public void ReadStorages(IReadOnlySet<StorageRecord> needed, Action<StorageRecord, Tensor> onStorage)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in _storageKeysInFileOrder)
        {
            if (!listed.Add(key)) throw Fail($"storage '{key}' is listed twice");
        }

        var missing = needed.FirstOrDefault(record => !listed.Contains(record.Key));
        if (missing is not null) throw Fail($"storage '{missing.Key}' is referenced but not in the file's storage list");

        var index = 0;
        foreach (var key in _storageKeysInFileOrder)
        {
            if (!_storages.ByKey.TryGetValue(key, out var record))
            {
                throw Fail($"storage {index} ('{key}') is listed but never referenced, so its element type is unknown");
            }

            var header = new byte[8];
            if (Remaining < header.Length) throw Fail($"truncated: storage {index} needs an 8-byte size header, {Remaining} bytes remain");
            _stream.ReadExactly(header);
            var elementCount = BinaryPrimitives.ReadInt64LittleEndian(header);
            if (elementCount != record.ElementCount)
            {
                throw Fail($"storage {index} ('{key}') has {elementCount} elements in the file but {record.ElementCount} in the pickle");
            }

            var byteCount = record.ByteCount;
            if (byteCount > Remaining) throw Fail($"truncated: storage {index} needs {byteCount} bytes, {Remaining} remain");

            if (needed.Contains(record))
            {
                using var storage = empty(record.ElementCount, record.DataType);
                TensorBytes.Fill(storage, _stream);
                onStorage(record, storage);
            }
            else
            {
                _stream.Seek(byteCount, SeekOrigin.Current);
            }

            index++;
        }
    }

    private long Remaining => _stream.Length - _stream.Position;

    private CheckpointFormatException Fail(string problem) => new(CheckpointFormatException.Describe(_source, problem));
}
