using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

internal static class TestImages
{
    public static ArchitectureSpec Spec(int classes) => new()
    {
        Name = "test",
        Depth = 1,
        Stacks = 1,
        Dims = [8, 8],
        Modules = [1, 1],
        Classes = Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray(),
    };

    /// <summary>A deterministic pseudo-random image with some structure.</summary>
    public static DecodedImage Random(int width, int height, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                byte block = (byte)(((x / 16 + y / 16) % 2) * 120);
                pixels[o] = (byte)(block + random.Next(0, 60));
                pixels[o + 1] = (byte)(x * 255 / width);
                pixels[o + 2] = (byte)(y * 255 / height);
            }
        }

        return new DecodedImage(width, height, pixels);
    }
}
