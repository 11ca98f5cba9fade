using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

/// <summary>Inputs the fuzzing harness (tools/CornerNet.Fuzzing, docs/fuzzing.md) found, kept in tests/fixtures/fuzzing.</summary>
public class FuzzingFindingsTests
{
    [Fact]
    public void A_png_whose_chunk_claims_more_bytes_than_the_file_holds_is_refused_before_decoding()
    {
        // 106 bytes, 8x6, but its IDAT chunk declares 452,984,881 bytes: OpenCV took 11 s to decode it.
        var bytes = File.ReadAllBytes(RepositoryPaths.Fixture("fuzzing", "image", "png_idat_length_past_end.png"));

        var error = Assert.Throws<UndecodableImageException>(() => new ImageLoader().Load(bytes, bgr: true));

        Assert.Equal("The PNG image is truncated: the chunk at byte 33 declares 452984881 bytes, but 61 remain.", error.Message);
    }

    [Fact]
    public void A_png_whose_chunks_all_fit_still_decodes()
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.Fixture("fuzzing", "image", "png_idat_length_past_end.png"));
        bytes[33] = 0; // the seed's IDAT length again (49 bytes) and its one other mutated byte: the seed itself
        bytes[59] = 0x5f;

        var image = new ImageLoader().Load(bytes, bgr: true);

        Assert.Equal((8, 6), (image.Width, image.Height));
    }
}
