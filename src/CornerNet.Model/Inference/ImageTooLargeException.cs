namespace CornerNet.Model.Inference;

/// <summary>The image header declares more pixels, or a longer side, than allowed; no pixel was decoded.</summary>
public sealed class ImageTooLargeException(int width, int height, string limit)
    : InvalidImageException($"Image is {width}x{height}; {limit}.")
{
    public int Width { get; } = width;

    public int Height { get; } = height;
}
