namespace CornerNet.Model.Inference;

/// <summary>What <see cref="ImageLoader.Inspect"/> learnt of an encoded image without decoding it.</summary>
public sealed record EncodedImageInfo(EncodedImageFormat Format, int Width, int Height)
{
    /// <summary>Width × height: the pixels its decoding will hold.</summary>
    public long Pixels => (long)Width * Height;
}
