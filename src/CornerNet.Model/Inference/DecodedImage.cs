namespace CornerNet.Model.Inference;

/// <summary>
/// 8-bit, 3-channel, interleaved pixels, row-major, already in the network's channel order
/// (BGR for the authors' weights), as OpenCV's imread would give them.
/// </summary>
public sealed class DecodedImage
{
    public DecodedImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * 3)
        {
            throw new ArgumentException($"Expected {(long)width * height * 3} bytes for {width}x{height}x3, got {pixels.LongLength}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width × Height × 3 bytes; channel c of pixel (x, y) is at (y * Width + x) * 3 + c.</summary>
    public byte[] Pixels { get; }
}
