using System.Diagnostics;
using System.Text.Json;
using CornerNet.Model.Checkpoints;
using static CornerNet.Model.Tests.Checkpoints.CheckpointFixtures;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Checkpoints;

public sealed class PyTorchCheckpointWriterTests : IDisposable
{
    private const string DebianPython = "/usr/bin/python3";

    private readonly string _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cornernet-ckpt-writer-{Guid.NewGuid():N}");

    public PyTorchCheckpointWriterTests()
    {
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>One tensor per supported dtype plus the awkward shapes; values include extremes and special floats.</summary>
    private static List<KeyValuePair<string, Tensor>> SampleTensors(bool finiteOnly = false)
    {
        var special = finiteOnly ? new[] { -0.0, 1e-3, 65504.0, -1e-2 } : new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0 };
        var floats = special.Concat([1.5, -2.25, 3.0, 1e-3]).ToArray();
        var transposed = arange(12, ScalarType.Float32).reshape(3, 4).t();
        return
        [
            new("float32", tensor(floats, ScalarType.Float32).reshape(2, 4)),
            new("float64", tensor(floats.Select(v => v * Math.PI).ToArray(), ScalarType.Float64)),
            new("float16", tensor(floats, ScalarType.Float32).to_type(ScalarType.Float16)),
            new("bfloat16", tensor(floats, ScalarType.Float32).to_type(ScalarType.BFloat16)),
            new("int64", tensor(new[] { long.MinValue, -1L, 0L, (1L << 53) + 1, long.MaxValue })),
            new("int32", tensor(new[] { int.MinValue, -7, 0, int.MaxValue })),
            new("int16", tensor(new short[] { short.MinValue, -3, short.MaxValue })),
            new("int8", tensor(new sbyte[] { sbyte.MinValue, -1, 0, sbyte.MaxValue })),
            new("uint8", tensor(new byte[] { 0, 1, 128, 255 })),
            new("bool", tensor(new[] { true, false, true })),
            new("scalar", tensor(2.5f)),
            new("empty", zeros(0, 3)),
            new("transposed", transposed),
            new("unicode.ключ", ones(2)),
            new("num_batches_tracked", tensor(123L)),
        ];
    }

    [Fact]
    public void Round_trips_every_dtype_and_shape_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var tensors = SampleTensors();
        var path = System.IO.Path.Combine(_folder, "round_trip.pth");

        PyTorchCheckpointWriter.Write(path, tensors);
        using var state = PyTorchCheckpointReader.Read(path);

        Assert.Equal(tensors.Select(t => t.Key), state.Keys);
        foreach (var (key, original) in tensors)
        {
            var loaded = state[key];
            Assert.Equal(original.dtype, loaded.dtype);
            Assert.Equal(original.shape, loaded.shape);
            Assert.Equal(RawBytes(original), RawBytes(loaded));
        }
    }

    [Fact]
    public void Writes_atomically_replacing_an_existing_file_and_leaving_no_temporary_files()
    {
        using var scope = NewDisposeScope();
        var path = System.IO.Path.Combine(_folder, "model.pth");
        File.WriteAllText(path, "old content");

        PyTorchCheckpointWriter.Write(path, [new("w", ones(3))]);

        Assert.Equal(["model.pth"], Directory.GetFiles(_folder).Select(System.IO.Path.GetFileName));
        using var state = PyTorchCheckpointReader.Read(path);
        Assert.Equal([1.0, 1.0, 1.0], Doubles(state["w"]));
    }

    [Fact]
    public void A_failed_write_leaves_the_existing_file_untouched()
    {
        using var scope = NewDisposeScope();
        var path = System.IO.Path.Combine(_folder, "model.pth");
        File.WriteAllText(path, "old content");

        Assert.Throws<ArgumentException>(() => PyTorchCheckpointWriter.Write(path, [new("w", ones(1)), new("w", ones(1))]));
        Assert.Throws<ArgumentException>(() => PyTorchCheckpointWriter.Write(path, [new("c", ones(1, ScalarType.ComplexFloat32))]));

        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Storage_entries_are_stored_uncompressed_and_64_byte_aligned()
    {
        using var scope = NewDisposeScope();
        var path = System.IO.Path.Combine(_folder, "aligned.pth");
        PyTorchCheckpointWriter.Write(path, SampleTensors());

        var bytes = File.ReadAllBytes(path);
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        Assert.All(zip.Entries, entry => Assert.Equal(entry.Length, entry.CompressedLength));
        Assert.Contains(zip.Entries, entry => entry.FullName == "archive/data.pkl");
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("archive/data/", StringComparison.Ordinal)))
        {
            var headerOffset = FindLocalHeader(bytes, entry.FullName);
            var nameLength = BitConverter.ToUInt16(bytes, headerOffset + 26);
            var extraLength = BitConverter.ToUInt16(bytes, headerOffset + 28);
            Assert.Equal(0, (headerOffset + 30 + nameLength + extraLength) % 64);
        }
    }

    [Fact]
    [Trait(TestCategories.Category, TestCategories.External)]
    public void Real_PyTorch_loads_our_file_as_an_OrderedDict_with_identical_tensors()
    {
        RequirePythonTorch();
        using var scope = NewDisposeScope();
        var tensors = SampleTensors(finiteOnly: true);
        var path = System.IO.Path.Combine(_folder, "for_pytorch.pth");
        PyTorchCheckpointWriter.Write(path, tensors);

        const string script = """
            import collections, json, sys, torch
            state = torch.load(sys.argv[1])
            print(json.dumps({
                "type": type(state).__module__ + "." + type(state).__name__,
                "entries": [{
                    "key": key,
                    "dtype": str(value.dtype).replace("torch.", ""),
                    "shape": list(value.shape),
                    "values": (value.float() if value.dtype == torch.bfloat16 else value).flatten().tolist(),
                } for key, value in state.items()],
            }))
            """;
        var output = RunPython(script, path);

        var loaded = JsonDocument.Parse(output).RootElement;
        Assert.Equal("collections.OrderedDict", loaded.GetProperty("type").GetString());
        var entries = loaded.GetProperty("entries").EnumerateArray().Select(ExpectedTensor.FromJson).ToList();
        Assert.Equal(tensors.Select(t => t.Key), entries.Select(e => e.Key));
        foreach (var (entry, (_, original)) in entries.Zip(tensors))
        {
            AssertMatches(entry, original);
        }
    }

    private static byte[] RawBytes(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.contiguous().reshape(-1).bytes.ToArray();
    }

    private static int FindLocalHeader(byte[] archive, string name)
    {
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        for (var offset = 0; offset + 30 + nameBytes.Length <= archive.Length; offset++)
        {
            if (archive[offset] == 0x50 && archive[offset + 1] == 0x4B && archive[offset + 2] == 3 && archive[offset + 3] == 4 &&
                archive.AsSpan(offset + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                return offset;
            }
        }

        throw new Xunit.Sdk.XunitException($"No local header for {name}");
    }

    /// <summary>This check needs Debian's python3-torch; without it the test fails loudly rather than skipping.</summary>
    private static void RequirePythonTorch()
    {
        try
        {
            RunPython("import torch");
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or Xunit.Sdk.XunitException)
        {
            Assert.Fail($"This test needs PyTorch for {DebianPython} (apt-get install python3-torch) to check our files " +
                        $"with real torch.load: {exception.Message}");
        }
    }

    private static string RunPython(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(DebianPython)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new Xunit.Sdk.XunitException($"{DebianPython} did not finish within 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"{DebianPython} exited with {process.ExitCode}: {error.Result}");
        }

        return output.Result;
    }
}
