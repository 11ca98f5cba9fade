using CornerNet.Model.Checkpoints;
using static CornerNet.Model.Tests.Checkpoints.CheckpointFixtures;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Checkpoints;

public class PyTorchCheckpointReaderTests
{
    [Theory]
    [InlineData("state_dict_legacy.pth")]
    [InlineData("state_dict_zip.pth")]
    [InlineData("state_dict_zip_protocol4.pth")]
    public void Reads_every_tensor_with_exact_keys_order_dtypes_shapes_and_values(string fixture)
    {
        using var state = PyTorchCheckpointReader.Read(CheckpointFixtures.Path(fixture));

        var expected = ExpectedEntries("state_dict");
        Assert.Equal(expected.Select(e => e.Key), state.Keys);
        foreach (var entry in expected)
        {
            AssertMatches(entry, state[entry.Key]);
        }
    }

    [Fact]
    public void Views_come_back_as_independent_contiguous_tensors()
    {
        using var state = PyTorchCheckpointReader.Read(CheckpointFixtures.Path("state_dict_zip.pth"));

        Assert.True(state["layout.transposed"].is_contiguous());
        Assert.Equal([4L, 3L], state["layout.transposed"].shape);
        Assert.Equal(0, state["layout.scalar"].dim());
        Assert.Equal(0, state["layout.empty"].numel());

        // Writing into one view must not show through the other: each tensor owns its memory.
        state["layout.shared_first"].fill_(100f);
        Assert.DoesNotContain(100.0, Doubles(state["layout.shared_second"]));
    }

    [Fact]
    public void Reads_from_a_non_seekable_stream()
    {
        using var file = File.OpenRead(CheckpointFixtures.Path("state_dict_legacy.pth"));
        using var forwardOnly = new ForwardOnlyStream(file);
        using var state = PyTorchCheckpointReader.Read(forwardOnly);

        Assert.Equal(ExpectedEntries("state_dict").Count, state.Count);
    }

    [Theory]
    [InlineData("mmdetection_style_zip.pth")]
    [InlineData("mmdetection_style_legacy.pth")]
    public void Returns_the_nested_state_dict_of_an_mmdetection_checkpoint(string fixture)
    {
        using var state = PyTorchCheckpointReader.Read(CheckpointFixtures.Path(fixture));

        var expected = ExpectedEntries("mmdetection_state_dict");
        Assert.Equal(expected.Select(e => e.Key), state.Keys);
        foreach (var entry in expected)
        {
            AssertMatches(entry, state[entry.Key]);
        }
    }

    [Theory]
    [InlineData("hostile_os_system_legacy.pth", "posix.system")]
    [InlineData("hostile_os_system_zip.pth", "posix.system")]
    [InlineData("hostile_builtins_eval_zip.pth", "builtins.eval")]
    public void Refuses_a_pickle_that_names_a_dangerous_global_and_runs_nothing(string fixture, string global)
    {
        var marker = MarkerPath;
        File.Delete(marker);
        var path = CheckpointFixtures.Path(fixture);

        var error = Assert.Throws<UnsafeCheckpointException>(() => PyTorchCheckpointReader.Read(path));

        Assert.Equal(global, error.GlobalName);
        Assert.Contains(global, error.Message);
        Assert.Contains(fixture, error.Message);
        Assert.False(File.Exists(marker), "the hostile payload ran");
    }

    [Theory]
    [InlineData("huge_claim_legacy.pth")]
    [InlineData("huge_claim_zip.pth")]
    public void Refuses_a_header_claiming_a_huge_storage_without_allocating_it(string fixture)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var error = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(CheckpointFixtures.Path(fixture)));

        Assert.True(error.Message.Contains("4000000000000 bytes", StringComparison.Ordinal), error.Message);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64L << 20, "allocated for the claimed size");
    }

    [Fact]
    public void Refuses_an_empty_file()
    {
        var path = TemporaryFile([]);
        try
        {
            var error = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(path));
            Assert.Contains("empty file", error.Message);
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Refuses_a_png_with_a_clear_message()
    {
        var path = TemporaryFile([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
        try
        {
            var error = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(path));
            Assert.Contains("not a PyTorch checkpoint", error.Message);
            Assert.DoesNotContain("89504E47", error.Message); // the path may point at any file: no content in logs
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Refuses_random_bytes()
    {
        var random = new Random(7);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var bytes = new byte[random.Next(1, 2048)];
            random.NextBytes(bytes);
            if (attempt % 2 == 0) bytes[0] = 0x80; // half of them look like a pickle at first
            using var stream = new MemoryStream(bytes);
            Assert.ThrowsAny<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(stream));
        }
    }

    [Fact]
    public void Refuses_a_zip_that_is_not_a_checkpoint()
    {
        using var buffer = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("hello");
        }

        buffer.Position = 0;
        var error = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(buffer));
        Assert.Contains("data.pkl", error.Message);
    }

    [Fact]
    public void Refuses_a_pickle_whose_top_level_object_is_not_a_dict()
    {
        // The legacy header pickles followed by a pickle of the integer 5.
        var legacy = File.ReadAllBytes(CheckpointFixtures.Path("state_dict_legacy.pth"));
        var headerLength = LegacyHeaderLength(legacy);
        byte[] five = [0x80, 0x02, (byte)'K', 5, (byte)'.', 0x80, 0x02, (byte)']', (byte)'.'];
        using var stream = new MemoryStream([.. legacy[..headerLength], .. five]);

        var error = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpointReader.Read(stream));
        Assert.Contains("top-level object is int, not a dict", error.Message);
    }

    [Fact]
    public void Loads_onto_the_requested_device()
    {
        using var state = PyTorchCheckpointReader.Read(CheckpointFixtures.Path("state_dict_zip.pth"), CPU);
        Assert.All(state.Values, tensor => Assert.Equal(TorchSharp.DeviceType.CPU, tensor.device_type));
    }

    /// <summary>The byte length of the three header pickles (magic, protocol, system info): three STOP opcodes.</summary>
    internal static int LegacyHeaderLength(byte[] legacy)
    {
        using var stream = new MemoryStream(legacy);
        for (var i = 0; i < 3; i++) new PickleReader(stream, null).Load();
        return (int)stream.Position;
    }

    internal static string TemporaryFile(byte[] content)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cornernet-ckpt-test-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, content);
        return path;
    }

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
