using System.Buffers.Binary;
using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// The sizes are read from the header alone: a file that is nothing but a header declaring a huge image is refused as
/// too large (not decoded, not "truncated"), and the sizes read agree with what the decoder produces.
/// </summary>
public sealed class ImageHeaderTests
{
    private static readonly ImageLoader Loader = new();

    private static byte[] Fixture(string name) => File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "images", name));

    /// <summary>SOI, then a baseline frame header declaring width x height and three components, and nothing else.</summary>
    private static byte[] JpegHeaderOnly(int width, int height)
    {
        byte[] sof = [0xFF, 0xC0, 0x00, 0x11, 8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(7), (ushort)width);
        return [0xFF, 0xD8, .. sof];
    }

    [Theory]
    [InlineData("q075.jpg", EncodedImageFormat.Jpeg)]
    [InlineData("progressive.jpg", EncodedImageFormat.Jpeg)]
    [InlineData("odd_1x17.jpg", EncodedImageFormat.Jpeg)]
    [InlineData("png_rgb16.png", EncodedImageFormat.Png)]
    [InlineData("bmp_rgb24.bmp", EncodedImageFormat.Bmp)]
    [InlineData("bmp_rle8.bmp", EncodedImageFormat.Bmp)]
    [InlineData("webp_lossy.webp", EncodedImageFormat.Webp)]
    [InlineData("webp_lossless.webp", EncodedImageFormat.Webp)]
    [InlineData("webp_lossy_alpha.webp", EncodedImageFormat.Webp)]
    public void The_header_size_is_the_decoded_size(string file, EncodedImageFormat format)
    {
        var bytes = Fixture(file);
        Assert.Equal(format, ImageHeader.Sniff(bytes));
        var decoded = Loader.Load(bytes, bgr: true);
        Assert.Equal((decoded.Width, decoded.Height), ImageHeader.ReadSize(format, bytes));
    }

    [Fact]
    public void A_jpeg_header_declaring_a_huge_image_is_too_large_not_truncated()
    {
        var error = Assert.Throws<ImageTooLargeException>(() => Loader.Load(JpegHeaderOnly(60000, 60000), bgr: true));
        Assert.Equal((60000, 60000), (error.Width, error.Height));
        var side = Assert.Throws<ImageTooLargeException>(() => Loader.Load(JpegHeaderOnly(30000, 10), bgr: true));
        Assert.Equal(30000, side.Width);
        // Within the limits, the same header-only file is truncated.
        Assert.Contains("truncated", Assert.Throws<UndecodableImageException>(() => Loader.Load(JpegHeaderOnly(64, 64), bgr: true)).Message);
    }

    [Fact]
    public void A_webp_header_declaring_a_huge_canvas_is_too_large()
    {
        // RIFF, WEBP, a VP8X chunk: flags, reserved, canvas width-1 and height-1 as 24-bit little-endian numbers.
        byte[] webp = [.. "RIFF"u8, 22, 0, 0, 0, .. "WEBPVP8X"u8, 10, 0, 0, 0, 0, 0, 0, 0, 0x3F, 0x9C, 0, 0x3F, 0x9C, 0];
        var error = Assert.Throws<ImageTooLargeException>(() => Loader.Load(webp, bgr: true));
        Assert.Equal((40000, 40000), (error.Width, error.Height));
    }

    [Fact]
    public void A_bmp_header_declaring_a_huge_top_down_image_is_too_large()
    {
        var bmp = Fixture("bmp_rgb24.bmp")[..54];
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 50000);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), -50000); // negative: rows stored top-down
        var error = Assert.Throws<ImageTooLargeException>(() => Loader.Load(bmp, bgr: true));
        Assert.Equal((50000, 50000), (error.Width, error.Height));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9 })]        // a scan before any frame header
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 })]                                // end of image, no image
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xD9 })]        // a segment length below 2
    public void Malformed_jpeg_structures_are_undecodable(byte[] jpeg)
    {
        Assert.Throws<UndecodableImageException>(() => Loader.Load(jpeg, bgr: true));
    }
}
