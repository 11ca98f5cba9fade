using CornerNet.Model.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Tools.Common;

/// <summary>The benchmarks' and the load generator's deterministic test picture: smooth gradients, a checker and a few
/// filled shapes, of any size; as decoded pixels or as a quality-90 JPEG (what a camera or a browser uploads).</summary>
public static class GeneratedPicture
{
    public const int JpegQuality = 90;

    /// <summary>The picture's pixels (RGB, row by row).</summary>
    public static DecodedImage Pixels(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                bool checker = (x / 40 + y / 40) % 2 == 0;
                bool disc = (x - width / 3) * (x - width / 3) + (y - height / 2) * (y - height / 2) < height * height / 16;
                bool box = x > width * 3 / 5 && x < width * 4 / 5 && y > height / 4 && y < height * 3 / 4;
                pixels[o] = (byte)(disc ? 220 : box ? 30 : x * 255 / width);
                pixels[o + 1] = (byte)(box ? 200 : checker ? 90 : 160);
                pixels[o + 2] = (byte)(disc ? 40 : y * 255 / height);
            }
        }

        return new DecodedImage(width, height, pixels);
    }

    /// <summary>The picture of this size as a JPEG file's bytes.</summary>
    public static byte[] Jpeg(int width, int height) => Jpeg(Pixels(width, height));

    /// <summary>RGB pixels as a quality-90 JPEG file's bytes.</summary>
    public static byte[] Jpeg(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var picture = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        using var stream = new MemoryStream();
        picture.Save(stream, new JpegEncoder { Quality = JpegQuality });
        return stream.ToArray();
    }
}
