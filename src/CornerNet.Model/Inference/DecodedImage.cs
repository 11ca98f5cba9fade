namespace CornerNet.Model.Inference;

/// <summary>
/// 8-bit, 3-channel, interleaved pixels, row-major, already in the network's channel order
/// (BGR for the authors' weights), as OpenCV's imread would give them.
/// </summary>
public sealed class DecodedImage
{
    public DecodedImage(int width, int height, byte[] pixels)
        : this(width, height, pixels, width, height)
    {
    }

    /// <param name="sourceWidth">Width of the image the pixels were decoded from, when the decoder reduced it
    /// (<see cref="ImageDecodingOptions.MaxInferenceSide"/>); else <paramref name="width"/>.</param>
    /// <param name="sourceHeight">Its height, likewise.</param>
    public DecodedImage(int width, int height, byte[] pixels, int sourceWidth, int sourceHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceWidth, width);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceHeight, height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * 3)
        {
            throw new ArgumentException($"Expected {(long)width * height * 3} bytes for {width}x{height}x3, got {pixels.LongLength}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width × Height × 3 bytes; channel c of pixel (x, y) is at (y * Width + x) * 3 + c.</summary>
    public byte[] Pixels { get; }

    /// <summary>Width of the encoded image (after EXIF orientation); larger than <see cref="Width"/> when it was decoded reduced.</summary>
    public int SourceWidth { get; }

    /// <summary>Height of the encoded image (after EXIF orientation).</summary>
    public int SourceHeight { get; }

    /// <summary>Whether the decoder reduced the image (the detector's boxes are then in the reduced pixels).</summary>
    public bool IsReduced => SourceWidth != Width || SourceHeight != Height;

    /// <summary>Boxes found in these pixels, in the source image's pixels; the same list when the image is not reduced.</summary>
    public IReadOnlyList<Detection> ToSourcePixels(IReadOnlyList<Detection> detections) =>
        Scale(detections, (float)((double)SourceWidth / Width), (float)((double)SourceHeight / Height));

    /// <summary>Boxes in the source image's pixels, in these pixels; the same list when the image is not reduced.</summary>
    public IReadOnlyList<Detection> ToDecodedPixels(IReadOnlyList<Detection> detections) =>
        Scale(detections, (float)((double)Width / SourceWidth), (float)((double)Height / SourceHeight));

    private IReadOnlyList<Detection> Scale(IReadOnlyList<Detection> detections, float x, float y)
    {
        ArgumentNullException.ThrowIfNull(detections);
        if (!IsReduced) return detections;
        return [.. detections.Select(d => d with { X1 = d.X1 * x, Y1 = d.Y1 * y, X2 = d.X2 * x, Y2 = d.Y2 * y })];
    }
}
