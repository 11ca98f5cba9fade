using System.Numerics;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// The allow-list of Python globals a checkpoint pickle may name, and what "calling" each one means here. Nothing is
/// ever executed: each allowed global maps to a fixed C# interpretation, and any other global is refused.
/// </summary>
internal static class TorchPickleGlobals
{
    private const string OrderedDict = "collections.OrderedDict";
    private const string RebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
    private const string RebuildTensor = "torch._utils._rebuild_tensor";
    private const string RebuildParameter = "torch._utils._rebuild_parameter";
    private const string RebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";

    private static readonly HashSet<string> Callables = new(StringComparer.Ordinal)
    {
        OrderedDict, RebuildTensorV2, RebuildTensor, RebuildParameter, RebuildParameterWithState, "builtins.set", "builtins.frozenset",
    };

    /// <summary>Python 2 module names that Python 3 pickles with protocol 2 still use (pickle's fix_imports).</summary>
    private static readonly Dictionary<string, string> Python2Modules = new(StringComparer.Ordinal)
    {
        ["__builtin__"] = "builtins",
        ["copy_reg"] = "copyreg",
    };

    /// <summary>Returns the global if it is allowed; otherwise throws <see cref="UnsafeCheckpointException"/>.</summary>
    public static PickleGlobal Resolve(string module, string name, string? source)
    {
        var normalized = new PickleGlobal(Python2Modules.GetValueOrDefault(module, module), name);
        if (IsAllowed(normalized)) return normalized;

        var written = normalized.Module == module ? string.Empty : $" (written as {module}.{name})";
        throw new UnsafeCheckpointException(
            CheckpointFormatException.Describe(source,
                $"unsafe checkpoint: the pickle references the global {normalized.FullName}{written}, which is not on the allow-list " +
                "of tensor-rebuilding functions; refusing to load it"),
            normalized.FullName);
    }

    private static bool IsAllowed(PickleGlobal global)
    {
        if (Callables.Contains(global.FullName)) return true;
        return global.Module switch
        {
            "torch" => TorchDataTypes.IsStorageName(global.Name) || TorchDataTypes.IsDtypeName(global.Name) || global.Name == "UntypedStorage",
            "torch.storage" => global.Name == "UntypedStorage",
            // Checkpoints saved from a GPU model in the legacy format name CUDA storage classes (torch.cuda.FloatStorage):
            // only their element type matters here, the data is read onto the CPU.
            "torch.cuda" => TorchDataTypes.IsStorageName(global.Name),
            _ => false,
        };
    }

    /// <summary>The meaning of REDUCE (a call) on an allowed global.</summary>
    public static object? Call(PickleGlobal callable, object?[] arguments, Func<string, Exception> fail)
    {
        switch (callable.FullName)
        {
            case OrderedDict:
                return NewDictionary(arguments, fail);
            case "builtins.set":
            case "builtins.frozenset":
                return NewSet(arguments, fail);
            case RebuildTensorV2:
                if (arguments.Length is < 6 or > 7) throw fail($"{RebuildTensorV2} takes 6 or 7 arguments, got {arguments.Length}");
                return RebuildTensorFrom(arguments, fail);
            case RebuildTensor:
                if (arguments.Length != 4) throw fail($"{RebuildTensor} takes 4 arguments, got {arguments.Length}");
                return RebuildTensorFrom(arguments, fail);
            case RebuildParameter:
            case RebuildParameterWithState:
                // A Parameter is its data tensor for our purposes; requires_grad and hooks do not matter for inference.
                if (arguments.Length < 1 || arguments[0] is not TensorRecipe data) throw fail($"{callable.FullName} needs a tensor argument");
                return data;
            default:
                throw fail($"{callable.FullName} cannot be called");
        }
    }

    /// <summary>The meaning of NEWOBJ (cls.__new__) on an allowed global: only containers can be created.</summary>
    public static object? Instantiate(PickleGlobal type, object?[] arguments, Func<string, Exception> fail) =>
        type.FullName switch
        {
            OrderedDict => NewDictionary(arguments, fail),
            "builtins.set" or "builtins.frozenset" => NewSet(arguments, fail),
            _ => throw fail($"{type.FullName} cannot be instantiated"),
        };

    /// <summary>The element type named by a storage class in a persistent id (torch.FloatStorage and so on).</summary>
    public static TorchSharp.torch.ScalarType StorageDataType(object? storageType, Func<string, Exception> fail)
    {
        if (storageType is not PickleGlobal global) throw fail("storage type in a persistent id is not a class");
        if (global.Name == "UntypedStorage") return TorchSharp.torch.ScalarType.Byte;
        if (global.Module is "torch" or "torch.cuda" && TorchDataTypes.TryFromStorageName(global.Name, out var type)) return type;
        throw fail($"unsupported storage type {global.FullName}");
    }

    private static PickleDict NewDictionary(object?[] arguments, Func<string, Exception> fail)
    {
        var dictionary = new PickleDict();
        if (arguments.Length == 0) return dictionary;
        if (arguments.Length != 1 || arguments[0] is not List<object?> pairs) throw fail("OrderedDict takes an optional list of pairs");
        foreach (var pair in pairs)
        {
            if (pair is not object?[] { Length: 2 } keyValue) throw fail("OrderedDict item is not a (key, value) pair");
            dictionary.Set(keyValue[0], keyValue[1]);
        }

        return dictionary;
    }

    private static PickleSet NewSet(object?[] arguments, Func<string, Exception> fail)
    {
        var set = new PickleSet();
        if (arguments.Length == 0) return set;
        if (arguments.Length != 1 || arguments[0] is not List<object?> items) throw fail("set takes an optional list of items");
        set.Items.AddRange(items);
        return set;
    }

    private static TensorRecipe RebuildTensorFrom(object?[] arguments, Func<string, Exception> fail)
    {
        if (arguments[0] is not StorageSlice storage) throw fail("tensor is not backed by a storage persistent id");
        var offset = AsLong(arguments[1], "storage offset", fail);
        var size = AsLongs(arguments[2], "size", fail);
        var stride = AsLongs(arguments[3], "stride", fail);
        return TensorRecipe.Create(storage, offset, size, stride, fail);
    }

    public static long AsLong(object? value, string what, Func<string, Exception> fail) => value switch
    {
        long number => number,
        bool flag => flag ? 1 : 0,
        BigInteger => throw fail($"{what} is too large"),
        _ => throw fail($"{what} is not an integer"),
    };

    private static long[] AsLongs(object? value, string what, Func<string, Exception> fail)
    {
        if (value is not object?[] items) throw fail($"tensor {what} is not a tuple");
        return Array.ConvertAll(items, item => AsLong(item, $"tensor {what} element", fail));
    }
}
