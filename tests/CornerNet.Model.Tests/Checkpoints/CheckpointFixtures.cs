using System.Text.Json;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Checkpoints;

/// <summary>The files written by tests/fixtures/checkpoints/make_checkpoint_fixtures.py and what they hold.</summary>
internal static class CheckpointFixtures
{
    public static string Path(string name) => RepositoryPaths.Fixture("checkpoints", name);

    public static string MarkerPath => Expected.GetProperty("marker_path").GetString()!;

    public static JsonElement Expected { get; } = JsonDocument.Parse(File.ReadAllText(Path("expected.json"))).RootElement;

    public static IReadOnlyList<ExpectedTensor> ExpectedEntries(string section) =>
        Expected.GetProperty(section).EnumerateArray().Select(ExpectedTensor.FromJson).ToList();

    public static ScalarType DataType(string name) => name switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        "int64" => ScalarType.Int64,
        "int32" => ScalarType.Int32,
        "int16" => ScalarType.Int16,
        "int8" => ScalarType.Int8,
        "uint8" => ScalarType.Byte,
        "bool" => ScalarType.Bool,
        _ => throw new ArgumentException($"Unknown dtype {name}"),
    };

    /// <summary>A tensor's values as doubles (exact for every supported dtype except int64 beyond 2^53).</summary>
    public static double[] Doubles(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.to_type(ScalarType.Float64).cpu().contiguous().reshape(-1).data<double>().ToArray();
    }

    public static long[] Longs(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.to_type(ScalarType.Int64).cpu().contiguous().reshape(-1).data<long>().ToArray();
    }

    /// <summary>Asserts dtype, shape and every value; integers compare as int64 so 2^53+1 stays exact.</summary>
    public static void AssertMatches(ExpectedTensor expected, Tensor actual)
    {
        Assert.Equal(DataType(expected.DataType), actual.dtype);
        Assert.Equal(expected.Shape, actual.shape);
        if (expected.Values.All(v => v.ValueKind is JsonValueKind.True or JsonValueKind.False) || IsInteger(actual.dtype))
        {
            var wanted = expected.Values.Select(v => v.ValueKind switch
            {
                JsonValueKind.True => 1L,
                JsonValueKind.False => 0L,
                _ => v.GetInt64(),
            }).ToArray();
            Assert.Equal(wanted, Longs(actual));
        }
        else
        {
            Assert.Equal(expected.Values.Select(v => v.GetDouble()).ToArray(), Doubles(actual));
        }
    }

    public static bool IsInteger(ScalarType type) =>
        type is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool;

    public sealed record ExpectedTensor(string Key, string DataType, long[] Shape, JsonElement[] Values)
    {
        public static ExpectedTensor FromJson(JsonElement element) => new(
            element.GetProperty("key").GetString()!,
            element.GetProperty("dtype").GetString()!,
            element.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray(),
            element.GetProperty("values").EnumerateArray().ToArray());
    }
}
