namespace CornerNet.Model.Checkpoints;

/// <summary>How to rebuild one tensor from a storage: the arguments of PyTorch's <c>_rebuild_tensor_v2</c>, already
/// checked against the storage's bounds. Storages are read only after the whole pickle has been parsed.</summary>
internal sealed record TensorRecipe(StorageSlice Source, long StorageOffset, long[] Size, long[] Stride)
{
    /// <summary>The bytes a contiguous copy of this view takes (its sizes were checked not to overflow).</summary>
    public long ByteCount => checked(Size.Aggregate(1L, (count, size) => checked(count * size)) * TorchDataTypes.ElementSize(Source.Storage.DataType));

    /// <summary>PyTorch supports at most 64 dimensions.</summary>
    private const int MaxDimensions = 64;

    /// <summary>Validates a view so that building it can never read outside its storage.</summary>
    public static TensorRecipe Create(StorageSlice source, long storageOffset, long[] size, long[] stride, Func<string, Exception> fail)
    {
        if (size.Length != stride.Length) throw fail($"tensor has {size.Length} sizes but {stride.Length} strides");
        if (size.Length > MaxDimensions) throw fail($"tensor has {size.Length} dimensions");
        if (storageOffset < 0) throw fail($"tensor has negative storage offset {storageOffset}");
        if (Array.Exists(size, s => s < 0)) throw fail($"tensor has a negative size [{string.Join(", ", size)}]");
        if (Array.Exists(stride, s => s < 0)) throw fail($"tensor has a negative stride [{string.Join(", ", stride)}]");

        try
        {
            long elementCount = 1;
            long lastElement = storageOffset;
            for (var dimension = 0; dimension < size.Length; dimension++)
            {
                elementCount = checked(elementCount * size[dimension]);
                if (size[dimension] > 0) lastElement = checked(lastElement + (size[dimension] - 1) * stride[dimension]);
            }

            var reachesPastEnd = elementCount > 0 ? lastElement >= source.ElementCount : storageOffset > source.ElementCount;
            if (reachesPastEnd)
            {
                throw fail($"tensor view (offset {storageOffset}, size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}]) " +
                           $"reaches past the end of storage '{source.Storage.Key}' ({source.ElementCount} elements)");
            }
        }
        catch (OverflowException)
        {
            throw fail($"tensor size [{string.Join(", ", size)}] with stride [{string.Join(", ", stride)}] overflows");
        }

        return new TensorRecipe(source, storageOffset, size, stride);
    }
}
