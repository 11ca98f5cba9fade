namespace CornerNet.Model.Checkpoints;

/// <summary>
/// Interprets the persistent ids torch.save writes for storages and remembers each storage by key, so that tensors
/// sharing a storage share one record. Zip ids are <c>('storage', type, key, location, numel)</c>; legacy ids add
/// <c>view_metadata</c>, either None or <c>(view_key, offset, size)</c>.
/// </summary>
internal sealed class PersistentStorages
{
    private readonly Dictionary<string, StorageRecord> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StorageSlice> _legacyViews = new(StringComparer.Ordinal);
    private readonly bool _legacy;

    public PersistentStorages(bool legacy)
    {
        _legacy = legacy;
    }

    public IReadOnlyDictionary<string, StorageRecord> ByKey => _byKey;

    public object? Load(object? persistentId, Func<string, Exception> fail)
    {
        var expectedLength = _legacy ? 6 : 5;
        if (persistentId is not object?[] id || id.Length != expectedLength || id[0] is not "storage")
        {
            throw fail($"persistent id is not a ('storage', ...) tuple of {expectedLength} items");
        }

        var dataType = TorchPickleGlobals.StorageDataType(id[1], fail);
        var key = KeyText(id[2], fail);
        if (id[3] is not string) throw fail("storage location is not a string");
        var elementCount = TorchPickleGlobals.AsLong(id[4], "storage element count", fail);
        if (elementCount < 0 || elementCount > long.MaxValue / TorchDataTypes.ElementSize(dataType))
        {
            throw fail($"storage '{key}' has an impossible element count {elementCount}");
        }

        if (_byKey.TryGetValue(key, out var record))
        {
            if (record.DataType != dataType || record.ElementCount != elementCount)
            {
                throw fail($"storage '{key}' is referenced as {record.DataType}[{record.ElementCount}] and as {dataType}[{elementCount}]");
            }
        }
        else
        {
            record = new StorageRecord(key, dataType, elementCount);
            _byKey.Add(key, record);
        }

        var whole = new StorageSlice(record, 0, elementCount);
        return _legacy && id[5] is not null ? LegacyView(whole, id[5], fail) : whole;
    }

    /// <summary>Pre-1.0 PyTorch could save a storage that is a slice of another: <c>(view_key, offset, size)</c>.</summary>
    private StorageSlice LegacyView(StorageSlice root, object? metadata, Func<string, Exception> fail)
    {
        if (metadata is not object?[] { Length: 3 } view) throw fail("storage view metadata is not a (key, offset, size) tuple");
        var viewKey = KeyText(view[0], fail);
        if (_legacyViews.TryGetValue(viewKey, out var existing)) return existing;

        var offset = TorchPickleGlobals.AsLong(view[1], "storage view offset", fail);
        var size = TorchPickleGlobals.AsLong(view[2], "storage view size", fail);
        if (offset < 0 || size < 0 || offset > root.ElementCount || size > root.ElementCount - offset)
        {
            throw fail($"storage view '{viewKey}' (offset {offset}, size {size}) lies outside storage '{root.Storage.Key}' ({root.ElementCount} elements)");
        }

        var slice = new StorageSlice(root.Storage, offset, size);
        _legacyViews.Add(viewKey, slice);
        return slice;
    }

    private static string KeyText(object? key, Func<string, Exception> fail) => key switch
    {
        string text => text,
        long number => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw fail("storage key is not a string"),
    };
}
