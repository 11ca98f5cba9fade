namespace CornerNet.Model.Data;

/// <summary>Settings of <see cref="SyntheticShapesGenerator"/>; the same options and seed always give the same bytes.</summary>
public sealed class SyntheticShapesOptions
{
    public int ImageCount { get; init; } = 100;

    public ulong Seed { get; init; }

    /// <summary>Each image's width and height are drawn independently from [MinImageSize, MaxImageSize].</summary>
    public int MinImageSize { get; init; } = 256;

    public int MaxImageSize { get; init; } = 256;

    public int MinObjectsPerImage { get; init; } = 1;

    public int MaxObjectsPerImage { get; init; } = 6;

    /// <summary>Smallest shape extent, in pixels, before rotation.</summary>
    public double MinObjectSize { get; init; } = 12;

    /// <summary>Largest shape extent as a fraction of the image's shorter side.</summary>
    public double MaxObjectSizeFraction { get; init; } = 0.5;

    /// <summary>Shapes occluded below this visible fraction are drawn but not annotated.</summary>
    public double MinVisibleFraction { get; init; } = 0.4;

    /// <summary>Anti-aliasing sub-samples per pixel along each axis.</summary>
    public int SamplesPerAxis { get; init; } = 4;

    public SyntheticImageFormat ImageFormat { get; init; } = SyntheticImageFormat.Png;

    internal void Validate()
    {
        Require(ImageCount >= 0, nameof(ImageCount), "must not be negative");
        Require(MinImageSize >= 32 && MaxImageSize >= MinImageSize && MaxImageSize <= 8192, nameof(MinImageSize), "must satisfy 32 <= MinImageSize <= MaxImageSize <= 8192");
        Require(MinObjectsPerImage >= 0 && MaxObjectsPerImage >= MinObjectsPerImage, nameof(MinObjectsPerImage), "must satisfy 0 <= MinObjectsPerImage <= MaxObjectsPerImage");
        Require(MinObjectSize >= 4 && MinObjectSize <= MaxObjectSizeFraction * MinImageSize, nameof(MinObjectSize), "must be at least 4 and fit MaxObjectSizeFraction of the smallest image");
        Require(MaxObjectSizeFraction is > 0 and <= 1, nameof(MaxObjectSizeFraction), "must be in (0, 1]");
        Require(MinVisibleFraction is >= 0 and <= 1, nameof(MinVisibleFraction), "must be in [0, 1]");
        Require(SamplesPerAxis is >= 1 and <= 16, nameof(SamplesPerAxis), "must be in [1, 16]");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} {rule}.");
        }
    }
}
