using CornerNet.Model.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// Images whose data ends before what their headers declare are refused before any pixel is decoded (issue 15's
/// probes: decoders filled in the missing rows and reported 40-megapixel images), while every complete image of the
/// decoding corpus still passes.
/// </summary>
public sealed class TruncatedImageTests
{
    private static readonly ImageLoader Loader = new();

    private static byte[] Fixture(string name) => File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "images", name));

    private static byte[] Photo(SixLabors.ImageSharp.Formats.IImageEncoder encoder, int width = 320, int height = 240)
    {
        using var image = new Image<Rgb24>(width, height);
        var random = new Random(5);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++) row[x] = new Rgb24((byte)(x + random.Next(40)), (byte)(y * 2), (byte)((x ^ y) & 0xFF));
            }
        });
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    private static readonly PngEncoder Png = new();

    private static readonly JpegEncoder Jpeg = new() { Quality = 90 };

    [Fact]
    public void A_png_whose_header_declares_more_rows_than_its_data_holds_is_refused()
    {
        var probe = HostileImages.LyingPng(6324, 6324, rows: 4);
        Assert.True(probe.Length < 400, $"the probe is {probe.Length} bytes");
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<UndecodableImageException>(() => Loader.Inspect(probe));

        Assert.Contains("truncated", error.Message);
        Assert.Contains("4 of 6324 rows", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "the check allocated like a decode");
    }

    [Fact]
    public void A_png_cut_in_half_is_refused_as_truncated()
    {
        var cut = HostileImages.Cut(Photo(Png), 0.5);
        var error = Assert.Throws<UndecodableImageException>(() => Loader.Load(cut, bgr: true));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_jpeg_whose_frame_header_declares_more_pixels_than_its_scan_holds_is_refused()
    {
        var probe = HostileImages.LyingJpeg(Photo(Jpeg, 16, 16), 6324, 6324);
        Assert.True(probe.Length < 1500, $"the probe is {probe.Length} bytes");

        var error = Assert.Throws<UndecodableImageException>(() => Loader.Inspect(probe));

        Assert.Contains("truncated", error.Message);
        Assert.Contains("6324x6324", error.Message);
    }

    [Fact]
    public void A_jpeg_cut_before_its_end_marker_is_refused_and_bytes_after_the_marker_are_ignored()
    {
        var whole = Photo(Jpeg);
        Assert.Contains("truncated", Assert.Throws<UndecodableImageException>(() => Loader.Load(HostileImages.Cut(whole, 0.5), bgr: true)).Message);
        var trailing = Loader.Load([.. whole, .. "trailing garbage"u8], bgr: true);
        Assert.Equal(Loader.Load(whole, bgr: true).Pixels, trailing.Pixels);
    }

    public static TheoryData<string> CorpusImages() =>
        [.. Directory.GetFiles(RepositoryPaths.Fixture("decoding", "images")).Select(path => Path.GetFileName(path))
            .Where(name => name.EndsWith(".png", StringComparison.Ordinal) || name.EndsWith(".jpg", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(CorpusImages))]
    public void Every_complete_image_of_the_decoding_corpus_passes_the_checks(string file)
    {
        var bytes = Fixture(file);
        var info = Loader.Inspect(bytes);
        Assert.Equal(ImageHeader.ReadSize(info.Format, bytes), (info.Width, info.Height));
    }

    [Theory]
    [InlineData(64, 48, 8, 2, false, 48 * (1 + 64 * 3))]
    [InlineData(7, 5, 1, 0, false, 5 * (1 + 1))]
    [InlineData(64, 48, 16, 6, false, 48 * (1 + 64 * 8))]
    [InlineData(1, 1, 8, 2, true, 1 + 3)]
    // Adam7 over 9 x 9 RGB: passes of 2x2, 1x2, 3x1, 2x3, 5x2, 4x5, 9x4 pixels, a filter byte per row.
    [InlineData(9, 9, 8, 2, true, (2 * 7) + (2 * 4) + (1 * 10) + (3 * 7) + (2 * 16) + (5 * 13) + (4 * 28))]
    public void The_png_data_size_follows_the_header(int width, int height, int bitDepth, int colourType, bool interlaced, long expected)
    {
        Assert.Equal(expected, PngDataCheck.ExpectedBytes(width, height, bitDepth, colourType, interlaced));
    }
}
