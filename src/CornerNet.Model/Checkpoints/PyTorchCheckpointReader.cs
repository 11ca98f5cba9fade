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

    /// <summary>Reads the state dict in the checkpoint at <paramref name="path"/>.</summary>
    /// <param name="path">A .pth/.pkl/.pt file written by torch.save.</param>
    /// <param name="device">Where the tensors go; CPU when null.</param>
    /// <exception cref="CheckpointFormatException">The file is truncated, corrupt, not a checkpoint or unsupported.</exception>
    /// <exception cref="UnsafeCheckpointException">The pickle references a global that is not allowed.</exception>
    public static StateDict Read(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return ReadSeekable(stream, path, device);
    }

    /// <summary>Reads the state dict in <paramref name="stream"/>, from its current position.</summary>
    /// <param name="stream">The checkpoint's bytes; a non-seekable stream is first copied into memory.</param>
    /// <param name="device">Where the tensors go; CPU when null.</param>
    /// <exception cref="CheckpointFormatException">The data is truncated, corrupt, not a checkpoint or unsupported.</exception>
    /// <exception cref="UnsafeCheckpointException">The pickle references a global that is not allowed.</exception>
    public static StateDict Read(Stream stream, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var source = (stream as FileStream)?.Name;
        if (stream.CanSeek) return ReadSeekable(stream, source, device);

        // Both formats need to know how many bytes remain (to refuse absurd sizes) and the zip format needs to seek.
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return ReadSeekable(copy, source, device);
    }

    private static StateDict ReadSeekable(Stream stream, string? source, Device? device)
    {
        var start = stream.Position;
        Span<byte> head = stackalloc byte[4];
        var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;

        if (headLength == 0) throw new CheckpointFormatException(CheckpointFormatException.Describe(source, "empty file: not a PyTorch checkpoint"));
        if (headLength == 4 && head.SequenceEqual(ZipMagic))
        {
            using var zip = new ZipCheckpointSource(stream, source);
            return Materialize(zip, source, device);
        }

        if (head[0] == PickleProtocolOpcode) return Materialize(new LegacyCheckpointSource(stream, source), source, device);

        throw new CheckpointFormatException(CheckpointFormatException.Describe(source,
            $"not a PyTorch checkpoint: it starts with bytes {Convert.ToHexString(head[..headLength])}, " +
            "neither a zip archive (504B0304) nor a legacy pickle (80)"));
    }

    /// <summary>Picks the state dict out of the unpickled object, reads the storages it uses and builds its tensors.</summary>
    private static StateDict Materialize(ICheckpointSource checkpoint, string? source, Device? device)
    {
        var entries = SelectStateDict(checkpoint.Root, source);
        var tensors = new Tensor?[entries.Count];
        var recipesByStorage = entries
            .Select((entry, index) => (entry.Recipe, Index: index))
            .ToLookup(item => item.Recipe.Source.Storage);

        using var scope = NewDisposeScope();
        checkpoint.ReadStorages(recipesByStorage.Select(group => group.Key).ToHashSet(), (storage, data) =>
        {
            foreach (var (recipe, index) in recipesByStorage[storage])
            {
                tensors[index] = Build(data, recipe, device);
            }
        });

        // The state dict owns its tensors from here on, not any enclosing dispose scope.
        return new StateDict(entries.Select((entry, index) => new KeyValuePair<string, Tensor>(
            entry.Key, tensors[index]!.DetachFromDisposeScope())));
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

    /// <summary>A contiguous copy of the recipe's view of <paramref name="storage"/>, so shared storages are not kept alive.</summary>
    private static Tensor Build(Tensor storage, TensorRecipe recipe, Device? device)
    {
        using var scope = NewDisposeScope();
        var view = storage.as_strided(recipe.Size, recipe.Stride, recipe.Source.ElementOffset + recipe.StorageOffset);
        var owned = view.is_contiguous() ? view.clone() : view.contiguous();
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
