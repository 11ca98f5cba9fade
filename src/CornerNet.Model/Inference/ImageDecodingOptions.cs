namespace CornerNet.Model.Inference;

/// <summary>Which encoded formats <see cref="ImageLoader"/> accepts and how large an image may be.</summary>
public sealed record ImageDecodingOptions
{
    /// <summary>GIF is off by default: animated and palette-heavy uploads are rarely photographs.</summary>
    public bool AllowGif { get; init; }

    /// <summary>TIFF is off by default: its decoder handles many rarely used, complex encodings.</summary>
    public bool AllowTiff { get; init; }

    /// <summary>Largest width × height accepted, checked from the header before any pixel is decoded.</summary>
    public long MaxPixelCount { get; init; } = 40_000_000;

    /// <summary>Longest side accepted, also checked from the header.</summary>
    public int MaxSide { get; init; } = 16_384;

    public ImageDecodingOptions Validate()
    {
        if (MaxPixelCount < 1 || MaxSide < 1)
        {
            throw new ArgumentException($"Invalid image decoding options: MaxPixelCount and MaxSide must be positive (got {MaxPixelCount}, {MaxSide}).");
        }

        return this;
    }
}
