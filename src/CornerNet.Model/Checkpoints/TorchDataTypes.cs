using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>The element types checkpoints may hold, with PyTorch's storage class name for each.</summary>
internal static class TorchDataTypes
{
    private static readonly (ScalarType Type, string StorageName, string DtypeName, int Size)[] Supported =
    [
        (ScalarType.Float32, "FloatStorage", "float32", 4),
        (ScalarType.Float64, "DoubleStorage", "float64", 8),
        (ScalarType.Float16, "HalfStorage", "float16", 2),
        (ScalarType.BFloat16, "BFloat16Storage", "bfloat16", 2),
        (ScalarType.Int64, "LongStorage", "int64", 8),
        (ScalarType.Int32, "IntStorage", "int32", 4),
        (ScalarType.Int16, "ShortStorage", "int16", 2),
        (ScalarType.Int8, "CharStorage", "int8", 1),
        (ScalarType.Byte, "ByteStorage", "uint8", 1),
        (ScalarType.Bool, "BoolStorage", "bool", 1),
    ];

    /// <summary>PyTorch's dtype attribute names, including its aliases (torch.float is float32, and so on).</summary>
    private static readonly Dictionary<string, ScalarType> DtypeNames = new(StringComparer.Ordinal)
    {
        ["float32"] = ScalarType.Float32, ["float"] = ScalarType.Float32,
        ["float64"] = ScalarType.Float64, ["double"] = ScalarType.Float64,
        ["float16"] = ScalarType.Float16, ["half"] = ScalarType.Float16,
        ["bfloat16"] = ScalarType.BFloat16,
        ["int64"] = ScalarType.Int64, ["long"] = ScalarType.Int64,
        ["int32"] = ScalarType.Int32, ["int"] = ScalarType.Int32,
        ["int16"] = ScalarType.Int16, ["short"] = ScalarType.Int16,
        ["int8"] = ScalarType.Int8,
        ["uint8"] = ScalarType.Byte,
        ["bool"] = ScalarType.Bool,
    };

    public static bool TryFromStorageName(string storageName, out ScalarType type)
    {
        foreach (var entry in Supported)
        {
            if (entry.StorageName == storageName)
            {
                type = entry.Type;
                return true;
            }
        }

        type = default;
        return false;
    }

    public static bool IsStorageName(string name) => TryFromStorageName(name, out _);

    public static bool IsDtypeName(string name) => DtypeNames.ContainsKey(name);

    public static bool IsSupported(ScalarType type) => Array.Exists(Supported, entry => entry.Type == type);

    public static string StorageName(ScalarType type) => Find(type).StorageName;

    public static string DtypeName(ScalarType type) => Find(type).DtypeName;

    public static int ElementSize(ScalarType type) => Find(type).Size;

    private static (ScalarType Type, string StorageName, string DtypeName, int Size) Find(ScalarType type)
    {
        foreach (var entry in Supported)
        {
            if (entry.Type == type) return entry;
        }

        throw new NotSupportedException($"Tensors of type {type} cannot be stored in a checkpoint by this code.");
    }
}
