using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// Reads PyTorch checkpoints (zip format, and the legacy format of PyTorch before 1.6) into a <see cref="StateDict"/>
/// without Python and without executing anything from the file: the pickle is interpreted against an allow-list.
/// </summary>
public static class PyTorchCheckpointReader
{
    private static ReadOnlySpan<byte> ZipMagic => "PK\u0003\u0004"u8;

    /// <summary>The PROTO opcode every pickle since protocol 2 starts with; the legacy format's first pickle has it.</summary>
    private const byte PickleProtocolOpcode = 0x80;

    /// <summary>Overlapping views may share a storage (tied weights), but their copies may not add up to more than this
    /// many times the storages' bytes (plus <see cref="ViewSlackBytes"/>): a few bytes of pickle could otherwise
    /// make thousands of full-size copies of one storage.</summary>
    private const long MaxViewAmplification = 2;

    private const long ViewSlackBytes = 1L << 20;

    /// <summary>Reads the state dict in the checkpoint at <paramref name="path"/>.</summary>
    /// <param name="path">A .pth/.pkl/.pt file written by torch.save.</param>
    /// <param name="device">Where the tensors go; CPU when null.</param>
    /// <param name="maxTensorBytes">When given, a checkpoint whose state dict needs more bytes than this is refused
    /// before any storage is read or decompressed (see <see cref="ModelWeights.CheckpointBytesLimit"/>).</param>
    /// <exception cref="CheckpointFormatException">The file is truncated, corrupt, not a checkpoint or unsupported.</exception>
    /// <exception cref="UnsafeCheckpointException">The pickle references a global that is not allowed.</exception>
    /// <exception cref="IOException">The path is missing, or is a directory, a FIFO, a device or a socket.</exception>
    public static StateDict Read(string path, Device? device = null, long? maxTensorBytes = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        RegularFile.Require(path, "Checkpoint");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return ReadSeekable(stream, path, device, maxTensorBytes);
    }

    /// <summary>Reads the state dict in <paramref name="stream"/>, from its current position.</summary>
    /// <param name="stream">The checkpoint's bytes; a non-seekable stream is first copied into memory.</param>
    /// <param name="device">Where the tensors go; CPU when null.</param>
    /// <param name="maxTensorBytes">When given, a checkpoint whose state dict needs more bytes than this is refused
    /// before any storage is read or decompressed.</param>
    /// <exception cref="CheckpointFormatException">The data is truncated, corrupt, not a checkpoint or unsupported.</exception>
    /// <exception cref="UnsafeCheckpointException">The pickle references a global that is not allowed.</exception>
    public static StateDict Read(Stream stream, Device? device = null, long? maxTensorBytes = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var source = (stream as FileStream)?.Name;
        if (stream.CanSeek) return ReadSeekable(stream, source, device, maxTensorBytes);

        // Both formats need to know how many bytes remain (to refuse absurd sizes) and the zip format needs to seek.
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return ReadSeekable(copy, source, device, maxTensorBytes);
    }

    private static StateDict ReadSeekable(Stream stream, string? source, Device? device, long? maxTensorBytes)
    {
        var start = stream.Position;
        Span<byte> head = stackalloc byte[4];
        var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;

        if (headLength == 0) throw new CheckpointFormatException(CheckpointFormatException.Describe(source, "empty file: not a PyTorch checkpoint"));
        if (headLength == 4 && head.SequenceEqual(ZipMagic))
        {
            using var zip = new ZipCheckpointSource(stream, source);
            return Materialize(zip, source, device, maxTensorBytes);
        }

        if (head[0] == PickleProtocolOpcode) return Materialize(new LegacyCheckpointSource(stream, source), source, device, maxTensorBytes);

        // The file's bytes are not quoted: an operator's path may point at any file, and logs are no place for it.
        throw new CheckpointFormatException(CheckpointFormatException.Describe(source,
            "not a PyTorch checkpoint: it starts neither like a zip archive (torch.save) nor like a legacy pickle"));
    }

    /// <summary>Picks the state dict out of the unpickled object, reads the storages it uses and builds its tensors.</summary>
    private static StateDict Materialize(ICheckpointSource checkpoint, string? source, Device? device, long? maxTensorBytes)
    {
        var entries = SelectStateDict(checkpoint.Root, source);
        var tensors = new Tensor?[entries.Count];
        var recipesByStorage = entries
            .Select((entry, index) => (entry.Recipe, Index: index))
            .ToLookup(item => item.Recipe.Source.Storage);
        CheckSizes(entries, recipesByStorage.Select(group => group.Key), source, maxTensorBytes);

        using var scope = NewDisposeScope();
        checkpoint.ReadStorages(recipesByStorage.Select(group => group.Key).ToHashSet(), (storage, data) =>
        {
            var recipes = recipesByStorage[storage].ToList();
            foreach (var (recipe, index) in recipes)
            {
                tensors[index] = Build(data, recipe, device, soleView: recipes.Count == 1);
            }
        });

        // The state dict owns its tensors from here on, not any enclosing dispose scope.
        return new StateDict(entries.Select((entry, index) => new KeyValuePair<string, Tensor>(
            entry.Key, tensors[index]!.DetachFromDisposeScope())));
    }

    /// <summary>What the state dict will hold, from the pickle's claims alone, checked before anything is read.</summary>
    private static void CheckSizes(List<(string Key, TensorRecipe Recipe)> entries, IEnumerable<StorageRecord> storages, string? source, long? maxTensorBytes)
    {
        try
        {
            long storageBytes = 0, viewBytes = 0;
            foreach (var storage in storages) storageBytes = checked(storageBytes + storage.ByteCount);
            foreach (var (_, recipe) in entries) viewBytes = checked(viewBytes + recipe.ByteCount);
            if (viewBytes > checked(storageBytes * MaxViewAmplification + ViewSlackBytes))
            {
                throw new CheckpointFormatException(CheckpointFormatException.Describe(source,
                    $"its {entries.Count} tensors claim {viewBytes} bytes from {storageBytes} bytes of storage"));
            }

            var needed = Math.Max(storageBytes, viewBytes);
            if (needed > maxTensorBytes)
            {
                throw new CheckpointFormatException(CheckpointFormatException.Describe(source,
                    $"its tensors need {needed} bytes, more than the {maxTensorBytes} bytes the model can hold"));
            }
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(CheckpointFormatException.Describe(source, "its tensor sizes overflow"));
        }
    }

    /// <summary>The top-level dict's tensors, or those of its <c>state_dict</c> entry (mmdetection's layout).
    /// Non-tensor entries are skipped.</summary>
    private static List<(string Key, TensorRecipe Recipe)> SelectStateDict(object? root, string? source)
    {
        if (root is not PickleDict top)
        {
            throw new CheckpointFormatException(CheckpointFormatException.Describe(source,
                $"the top-level object is {PythonTypeName(root)}, not a dict of tensors"));
        }

        var chosen = top.TryGet("state_dict", out var nested) && nested is PickleDict inner && TensorsOf(inner).Any() ? inner : top;
        return TensorsOf(chosen).ToList();
    }

    private static IEnumerable<(string Key, TensorRecipe Recipe)> TensorsOf(PickleDict dictionary) =>
        dictionary.Entries
            .Where(entry => entry is { Key: string, Value: TensorRecipe })
            .Select(entry => ((string)entry.Key!, (TensorRecipe)entry.Value!));

    /// <summary>The recipe's view of <paramref name="storage"/>: the storage itself when it is the storage's only view
    /// and all of it, in order (the usual case: no copy, so reading costs the checkpoint's size once, not twice), else a
    /// contiguous copy, so tensors never share memory and shared storages are not kept alive.</summary>
    private static Tensor Build(Tensor storage, TensorRecipe recipe, Device? device, bool soleView)
    {
        using var scope = NewDisposeScope();
        var view = storage.as_strided(recipe.Size, recipe.Stride, recipe.Source.ElementOffset + recipe.StorageOffset);
        var wholeStorage = soleView && view.is_contiguous() && view.numel() == storage.numel();
        var owned = wholeStorage ? view : view.is_contiguous() ? view.clone() : view.contiguous();
        if (device is not null && device.type != DeviceType.CPU) owned = owned.to(device);
        return owned.MoveToOuterDisposeScope();
    }

    private static string PythonTypeName(object? value) => value switch
    {
        null => "None",
        long or System.Numerics.BigInteger => "int",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        TensorRecipe => "tensor",
        _ => value.GetType().Name,
    };
}
