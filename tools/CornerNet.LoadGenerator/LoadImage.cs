using CornerNet.Model.Data;
using CornerNet.Tools.Common;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;

namespace CornerNet.LoadGenerator;

/// <summary>The encoded image every request sends, with what the report says about it.</summary>
public sealed record LoadImage(string Description, byte[] Bytes, string ContentType, int Width, int Height)
{
    /// <summary>Seed of the demo model's held-out evaluation set (models/README.md): an image it was never trained on.</summary>
    public const ulong HeldOutSeed = 2;

    public static LoadImage FromFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var info = Image.Identify(bytes);
        var format = Image.DetectFormat(bytes);
        return new LoadImage(Path.GetFullPath(path), bytes, format.DefaultMimeType, info.Width, info.Height);
    }

    /// <summary>The benchmarks' generated picture (<see cref="GeneratedPicture"/>) as a quality-90 JPEG: deterministic.</summary>
    public static LoadImage GeneratedJpeg(int width, int height) =>
        new($"generated {width}x{height} picture, JPEG quality {GeneratedPicture.JpegQuality}", GeneratedPicture.Jpeg(width, height), "image/jpeg", width, height);

    /// <summary>Image 0 of the demo model's held-out synthetic set (128x128, 1-6 shapes), as PNG: deterministic.</summary>
    public static LoadImage HeldOutSynthetic()
    {
        var generator = new SyntheticShapesGenerator(new SyntheticShapesOptions { Seed = HeldOutSeed, MinImageSize = 128, MaxImageSize = 128 });
        using var scene = generator.Render(0);
        using var encoded = new MemoryStream();
        scene.Image.Save(encoded, new PngEncoder());
        return new LoadImage($"held-out synthetic shapes image (seed {HeldOutSeed}, index 0, {scene.Shapes.Count} shapes)",
            encoded.ToArray(), "image/png", scene.Width, scene.Height);
    }
}
