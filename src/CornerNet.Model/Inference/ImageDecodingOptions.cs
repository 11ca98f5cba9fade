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

    /// <summary>
    /// When set, a JPEG whose longer side is at least twice this is decoded at 1/2, 1/4 or 1/8 of its size by libjpeg's
    /// DCT scaling (OpenCV's <c>IMREAD_REDUCED_COLOR_*</c>): the smallest of those that keeps its longer side at least
    /// this, so a large photo is never held at full size. Other formats are decoded at full size (their decoders
    /// cannot skip detail). Null (the default): every image at full size, as the authors' <c>cv2.imread</c>; a
    /// reduced image gives slightly different detections.
    /// </summary>
    public int? MaxInferenceSide { get; init; }

    public ImageDecodingOptions Validate()
    {
        if (MaxPixelCount < 1 || MaxSide < 1)
        {
            throw new ArgumentException($"Invalid image decoding options: MaxPixelCount and MaxSide must be positive (got {MaxPixelCount}, {MaxSide}).");
        }

        if (MaxInferenceSide is < 32)
        {
            throw new ArgumentException($"Invalid image decoding options: MaxInferenceSide must be at least 32 or unset (got {MaxInferenceSide}).");
        }

        return this;
    }
}
