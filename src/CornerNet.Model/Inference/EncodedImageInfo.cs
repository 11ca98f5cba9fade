namespace CornerNet.Model.Inference;

/// <summary>What <see cref="ImageLoader.Inspect"/> learnt of an encoded image without decoding it.</summary>
/// <param name="Width">Width from the header (before EXIF orientation).</param>
/// <param name="Height">Height from the header.</param>
public sealed record EncodedImageInfo(EncodedImageFormat Format, int Width, int Height)
{
    /// <summary>Width × height: the pixels of the image at full size.</summary>
    public long Pixels => (long)Width * Height;

    /// <summary>1, or 2, 4 or 8 when the decoder will reduce the image by that factor (<see cref="ImageDecodingOptions.MaxInferenceSide"/>).</summary>
    public int Reduction { get; init; } = 1;

    /// <summary>Width of the decoded pixels: the width divided by <see cref="Reduction"/>, rounded up (libjpeg's scaled size).</summary>
    public int DecodedWidth => (Width + Reduction - 1) / Reduction;

    /// <summary>Height of the decoded pixels, likewise.</summary>
    public int DecodedHeight => (Height + Reduction - 1) / Reduction;

    /// <summary>The pixels its decoding will hold.</summary>
    public long DecodedPixels => (long)DecodedWidth * DecodedHeight;
}
