using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Service.Tests;

/// <summary>Small real encoded images made in the test.</summary>
public static class TestImages
{
    public static Image<Rgb24> Pattern(int width, int height, int seed = 1)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            // Blocks of colour with some noise: enough structure for the network to respond to.
            var block = (x / 16 + y / 16 * 7 + seed) % 5;
            image[x, y] = new Rgb24((byte)(block * 50 + random.Next(20)), (byte)(255 - block * 40), (byte)(x * 255 / width));
        }

        return image;
    }

    public static byte[] Png(int width, int height, int seed = 1)
    {
        using var image = Pattern(width, height, seed);
        return Encode(image, new PngEncoder());
    }

    public static byte[] Jpeg(int width, int height, int seed = 1)
    {
        using var image = Pattern(width, height, seed);
        return Encode(image, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 90 });
    }

    public static byte[] Encode(Image image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }
}
