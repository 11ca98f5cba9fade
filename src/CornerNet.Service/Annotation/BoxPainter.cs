using CornerNet.Model.Inference;
using CornerNet.Service.Api;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Service.Annotation;

/// <summary>
/// Draws detection boxes onto the image they were found in: a 2-pixel outline per box, inside its pixel bounds, in a
/// colour per class (the same hues as the web page). Nothing else in the image changes.
/// </summary>
public static class BoxPainter
{
    public const int Thickness = 2;

    /// <param name="image">The decoded pixels (after EXIF orientation).</param>
    /// <param name="bgr">Whether <paramref name="image"/> holds BGR (the authors' order) rather than RGB.</param>
    /// <param name="detections">Boxes in the image's pixels.</param>
    public static Image<Rgb24> Paint(DecodedImage image, bool bgr, IReadOnlyList<DetectionDto> detections)
    {
        var canvas = new Image<Rgb24>(image.Width, image.Height);
        canvas.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                var source = image.Pixels.AsSpan(y * image.Width * 3, image.Width * 3);
                for (var x = 0; x < row.Length; x++)
                {
                    var p = source.Slice(x * 3, 3);
                    row[x] = bgr ? new Rgb24(p[2], p[1], p[0]) : new Rgb24(p[0], p[1], p[2]);
                }
            }

            foreach (var detection in detections)
            {
                var (left, top, right, bottom) = PixelBounds(detection.Bbox, image.Width, image.Height);
                if (right < left || bottom < top) continue;
                var colour = ClassColour(detection.ClassIndex);
                for (var y = top; y <= bottom; y++)
                {
                    var row = rows.GetRowSpan(y);
                    var horizontalEdge = y < top + Thickness || y > bottom - Thickness;
                    for (var x = left; x <= right; x++)
                    {
                        if (horizontalEdge || x < left + Thickness || x > right - Thickness) row[x] = colour;
                    }
                }
            }
        });
        return canvas;
    }

    /// <summary>The pixels a box covers: from the pixel holding (x1, y1) to the one holding (x2, y2), clipped.</summary>
    public static (int Left, int Top, int Right, int Bottom) PixelBounds(float[] box, int width, int height) =>
        (Math.Clamp((int)MathF.Floor(box[0]), 0, width - 1), Math.Clamp((int)MathF.Floor(box[1]), 0, height - 1),
         Math.Clamp((int)MathF.Ceiling(box[2]) - 1, 0, width - 1), Math.Clamp((int)MathF.Ceiling(box[3]) - 1, 0, height - 1));

    /// <summary>Hue in golden-angle steps per class, as the web page draws them.</summary>
    public static Rgb24 ClassColour(int classIndex)
    {
        var hue = classIndex * 137.508 % 360;
        return HslToRgb(hue, 0.85, 0.55);
    }

    private static Rgb24 HslToRgb(double hue, double saturation, double lightness)
    {
        var chroma = (1 - Math.Abs(2 * lightness - 1)) * saturation;
        var x = chroma * (1 - Math.Abs(hue / 60 % 2 - 1));
        var m = lightness - chroma / 2;
        var (r, g, b) = (hue / 60) switch
        {
            < 1 => (chroma, x, 0.0),
            < 2 => (x, chroma, 0.0),
            < 3 => (0.0, chroma, x),
            < 4 => (0.0, x, chroma),
            < 5 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        return new Rgb24((byte)Math.Round((r + m) * 255), (byte)Math.Round((g + m) * 255), (byte)Math.Round((b + m) * 255));
    }
}
