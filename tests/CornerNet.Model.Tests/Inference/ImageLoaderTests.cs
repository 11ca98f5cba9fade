using System.Buffers.Binary;
using System.Text;
using CornerNet.Model.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Model.Tests.Inference;

public sealed class ImageLoaderTests
{
    private static readonly ImageLoader Loader = new();

    private static byte[] Encode<TPixel>(Image<TPixel> image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    private static (byte B, byte G, byte R) Bgr(DecodedImage image, int x, int y)
    {
        int o = (y * image.Width + x) * 3;
        return (image.Pixels[o], image.Pixels[o + 1], image.Pixels[o + 2]);
    }

    [Fact]
    public void Applies_exif_orientation()
    {
        // 40x20, red left half, blue right half, tagged "rotate 90° clockwise to display".
        using var image = new Image<Rgb24>(40, 20);
        for (int y = 0; y < 20; y++)
        {
            for (int x = 0; x < 40; x++) image[x, y] = x < 20 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255);
        }

        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        var decoded = Loader.Load(Encode(image, new JpegEncoder { Quality = 95 }), bgr: true);

        Assert.Equal((20, 40), (decoded.Width, decoded.Height));
        var top = Bgr(decoded, 10, 5);
        var bottom = Bgr(decoded, 10, 35);
        Assert.True(top.R > 200 && top.B < 60, $"top {top}");       // the red half is on top after rotating clockwise
        Assert.True(bottom.B > 200 && bottom.R < 60, $"bottom {bottom}");
    }

    [Fact]
    public void Expands_grayscale()
    {
        using var image = new Image<L8>(3, 2, new L8(77));
        var decoded = Loader.Load(Encode(image, new PngEncoder { ColorType = PngColorType.Grayscale }), bgr: true);
        Assert.All(decoded.Pixels, v => Assert.Equal(77, v));
    }

    [Fact]
    public void Sixteen_bit_PNG_keeps_the_high_byte_like_OpenCV()
    {
        using var image = new Image<Rgb48>(2, 2, new Rgb48(0x1234, 0xABCD, 0x00FF));
        var decoded = Loader.Load(Encode(image, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 }), bgr: true);
        Assert.Equal(((byte)0x00, (byte)0xAB, (byte)0x12), Bgr(decoded, 1, 1)); // 0x00FF → 0, where rounding would give 1
    }

    [Fact]
    public void Expands_palette()
    {
        using var image = new Image<Rgba32>(3, 1);
        image[0, 0] = new Rgba32(255, 0, 0);
        image[1, 0] = new Rgba32(0, 255, 0);
        image[2, 0] = new Rgba32(10, 20, 30);
        var bytes = Encode(image, new PngEncoder { ColorType = PngColorType.Palette });
        Assert.Equal(PngColorType.Palette, Image.Identify(bytes).Metadata.GetPngMetadata().ColorType);

        var decoded = Loader.Load(bytes, bgr: true);

        Assert.Equal(((byte)0, (byte)0, (byte)255), Bgr(decoded, 0, 0));
        Assert.Equal(((byte)0, (byte)255, (byte)0), Bgr(decoded, 1, 0));
        Assert.Equal(((byte)30, (byte)20, (byte)10), Bgr(decoded, 2, 0));
    }

    [Fact]
    public void Drops_alpha_without_compositing_like_imread()
    {
        using var image = new Image<Rgba32>(2, 1);
        image[0, 0] = new Rgba32(10, 20, 30, 0);
        image[1, 0] = new Rgba32(200, 100, 50, 128);
        var decoded = Loader.Load(Encode(image, new PngEncoder { ColorType = PngColorType.RgbWithAlpha }), bgr: true);
        Assert.Equal(((byte)30, (byte)20, (byte)10), Bgr(decoded, 0, 0));
        Assert.Equal(((byte)50, (byte)100, (byte)200), Bgr(decoded, 1, 0));
    }

    [Fact]
    public void Rgb_order_when_asked()
    {
        using var image = new Image<Rgb24>(1, 1, new Rgb24(1, 2, 3));
        var decoded = Loader.Load(Encode(image, new PngEncoder()), bgr: false);
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.Pixels);
    }

    [Fact]
    public void Refuses_gif_unless_allowed()
    {
        using var image = new Image<Rgb24>(4, 4, new Rgb24(9, 9, 9));
        var gif = Encode(image, new GifEncoder());

        var refused = Assert.Throws<UnsupportedImageFormatException>(() => Loader.Load(gif, bgr: true));
        Assert.Equal("GIF", refused.FormatName);
        Assert.Equal(4, new ImageLoader(new ImageDecodingOptions { AllowGif = true }).Load(gif, bgr: true).Width);
    }

    [Fact]
    public void Refuses_tiff_unless_allowed()
    {
        using var image = new Image<Rgb24>(4, 4, new Rgb24(9, 9, 9));
        var tiff = Encode(image, new TiffEncoder());

        Assert.Throws<UnsupportedImageFormatException>(() => Loader.Load(tiff, bgr: true));
        Assert.Equal(4, new ImageLoader(new ImageDecodingOptions { AllowTiff = true }).Load(tiff, bgr: true).Height);
    }

    [Fact]
    public void Refuses_a_huge_PNG_from_its_header_without_allocating_pixels()
    {
        var png = PngHeaderOnly(60000, 60000);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<ImageTooLargeException>(() => Loader.Load(png, bgr: true));

        Assert.Equal((60000, 60000), (error.Width, error.Height));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16_000_000, "the refusal allocated like a decode");
    }

    [Fact]
    public void Rejects_bytes_that_are_no_image()
    {
        Assert.Throws<UndecodableImageException>(() => Loader.Load(Encoding.ASCII.GetBytes("definitely not an image"), bgr: true));
        Assert.Throws<UndecodableImageException>(() => Loader.Load([], bgr: true));
    }

    [Fact]
    public void Rejects_a_truncated_PNG()
    {
        using var image = new Image<Rgb24>(64, 64, new Rgb24(1, 2, 3));
        var png = Encode(image, new PngEncoder());
        var error = Assert.ThrowsAny<InvalidImageException>(() => Loader.Load(png[..(png.Length / 2)], bgr: true));
        Assert.IsType<UndecodableImageException>(error);
    }

    /// <summary>A PNG signature, an IHDR for an RGB image of the given size, and IEND: a header with no pixels.</summary>
    private static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data) => HostileImages.WritePngChunk(stream, type, data);

    [Fact]
    public void With_MaxInferenceSide_a_large_JPEG_is_decoded_reduced_and_keeps_its_source_size_after_orientation()
    {
        var reducing = new ImageLoader(new ImageDecodingOptions { MaxInferenceSide = 100 });
        using var image = new Image<Rgb24>(401, 201, new Rgb24(10, 200, 30));
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        var jpeg = Encode(image, new JpegEncoder { Quality = 95 });

        var info = reducing.Inspect(jpeg);
        var decoded = reducing.Load(jpeg, info, bgr: true);
        var full = Loader.Load(jpeg, bgr: true);

        // 401 is at least 4 x 100, not 8 x 100: a quarter, 101 (libjpeg rounds up). Rotated by its EXIF orientation.
        Assert.Equal(4, info.Reduction);
        Assert.Equal((51, 101), (decoded.Width, decoded.Height));
        Assert.Equal((full.Width, full.Height), (decoded.SourceWidth, decoded.SourceHeight));
        Assert.Equal((201, 401), (decoded.SourceWidth, decoded.SourceHeight));
        Assert.True(decoded.IsReduced);
        Assert.False(full.IsReduced);
        var box = new Detection(0, "a", 0.5f, 10, 20, 30, 40);
        var source = Assert.Single(decoded.ToSourcePixels([box]));
        Assert.Equal(10 * 201f / 51, source.X1, 3);
        Assert.Equal(40 * 401f / 101, source.Y2, 3);
    }

    [Fact]
    public void With_MaxInferenceSide_a_PNG_and_a_JPEG_under_twice_the_limit_are_decoded_at_full_size()
    {
        var reducing = new ImageLoader(new ImageDecodingOptions { MaxInferenceSide = 100 });
        using var image = new Image<Rgb24>(199, 120, new Rgb24(10, 200, 30));
        using var large = new Image<Rgb24>(800, 600, new Rgb24(10, 200, 30));

        Assert.Equal(1, reducing.Inspect(Encode(image, new JpegEncoder())).Reduction);
        var png = Encode(large, new PngEncoder());
        Assert.Equal(1, reducing.Inspect(png).Reduction);
        Assert.Equal((800, 600), (reducing.Load(png, bgr: true).Width, reducing.Load(png, bgr: true).Height));
    }
}
