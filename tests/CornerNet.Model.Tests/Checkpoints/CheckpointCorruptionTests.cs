using CornerNet.Model.Checkpoints;

namespace CornerNet.Model.Tests.Checkpoints;

/// <summary>Damaged files must only ever produce <see cref="CheckpointFormatException"/> (or load, when a flipped
/// byte lands in tensor data) — never a crash, an unrelated exception or a huge allocation.</summary>
public class CheckpointCorruptionTests
{
    public static TheoryData<string> Fixtures => new()
    {
        "state_dict_legacy.pth",
        "state_dict_zip.pth",
        "state_dict_zip_protocol4.pth",
        "mmdetection_style_legacy.pth",
        "mmdetection_style_zip.pth",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Truncation_at_any_offset_gives_a_format_error(string fixture)
    {
        var bytes = File.ReadAllBytes(CheckpointFixtures.Path(fixture));
        for (var length = 0; length < bytes.Length; length++)
        {
            using var stream = new MemoryStream(bytes, 0, length, writable: false);
            var error = Record.Exception(() => PyTorchCheckpointReader.Read(stream).Dispose());
            Assert.True(error is CheckpointFormatException, $"{fixture} cut at {length} bytes gave {error?.GetType().Name ?? "no error"}: {error}");
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Random_byte_flips_give_a_format_error_or_a_state_dict(string fixture)
    {
        var original = File.ReadAllBytes(CheckpointFixtures.Path(fixture));
        var random = new Random(fixture.GetHashCode(StringComparison.Ordinal) ^ 12345);
        for (var attempt = 0; attempt < 400; attempt++)
        {
            var bytes = (byte[])original.Clone();
            var flips = 1 + random.Next(3);
            for (var i = 0; i < flips; i++)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            using var stream = new MemoryStream(bytes, writable: false);
            var error = Record.Exception(() => PyTorchCheckpointReader.Read(stream).Dispose());
            Assert.True(error is null or CheckpointFormatException, $"{fixture} with flipped bytes (attempt {attempt}) gave {error}");
        }
    }

    [Fact]
    public void Every_single_byte_of_a_legacy_pickle_set_to_every_opcode_value_is_handled()
    {
        // A denser search over the pickle section, where a flip changes the parser's path rather than data.
        var original = File.ReadAllBytes(CheckpointFixtures.Path("mmdetection_style_legacy.pth"));
        var random = new Random(99);
        for (var attempt = 0; attempt < 1500; attempt++)
        {
            var bytes = (byte[])original.Clone();
            bytes[random.Next(Math.Min(bytes.Length, 700))] = (byte)random.Next(256);
            using var stream = new MemoryStream(bytes, writable: false);
            var error = Record.Exception(() => PyTorchCheckpointReader.Read(stream).Dispose());
            Assert.True(error is null or CheckpointFormatException, $"attempt {attempt} gave {error}");
        }
    }
}
