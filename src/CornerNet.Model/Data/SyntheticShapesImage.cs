using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Model.Data;

/// <summary>One rendered synthetic image with its shapes in drawing order and the per-pixel owner map.</summary>
public sealed class SyntheticShapesImage(Image<Rgb24> image, IReadOnlyList<SyntheticShape> shapes, int[] ownerMap) : IDisposable
{
    public Image<Rgb24> Image { get; } = image;

    /// <summary>All drawn shapes, annotated or not, in drawing order (later ones on top).</summary>
    public IReadOnlyList<SyntheticShape> Shapes { get; } = shapes;

    /// <summary>Index into <see cref="Shapes"/> of the shape owning each pixel (row-major), or -1 for background.</summary>
    public IReadOnlyList<int> OwnerMap { get; } = ownerMap;

    public int Width => Image.Width;

    public int Height => Image.Height;

    public void Dispose() => Image.Dispose();
}
