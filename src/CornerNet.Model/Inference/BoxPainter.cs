using System.Globalization;
using System.Runtime.InteropServices;
using OpenCvSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Model.Inference;

/// <summary>
/// Draws detection boxes onto the image they were found in: a 2-pixel outline per box, inside its pixel bounds, in a
/// colour per class (the same hues as the web page), and a label tag per box (class label and score, e.g.
/// "circle 0.97") on a filled rectangle of the class colour, just above the box (inside it when there is no room
/// above). The text is OpenCV's Hershey sans-serif (no font files needed), its height 2.2 % of the image's longest side
/// but never under 11 px, so it stays readable on thumbnails and on large photos. Nothing else in the image changes.
/// The service's <c>/detect/annotated</c> and the training worker's <c>detect --annotated</c> both draw with it.
/// </summary>
public static class BoxPainter
{
    public const int Thickness = 2;

    /// <summary>Smallest text height in pixels (capital letters and digits; descenders below).</summary>
    public const int MinTextHeight = 11;

    /// <param name="image">The decoded pixels (after EXIF orientation).</param>
    /// <param name="bgr">Whether <paramref name="image"/> holds BGR (the authors' order) rather than RGB.</param>
    /// <param name="detections">Boxes in the pixels of the source image (<see cref="DecodedImage.SourceWidth"/> x
    /// <see cref="DecodedImage.SourceHeight"/>); drawn scaled onto <paramref name="image"/> when it was decoded reduced.</param>
    /// <returns>An image of <paramref name="image"/>'s size.</returns>
    public static SixLabors.ImageSharp.Image<Rgb24> Paint(DecodedImage image, bool bgr, IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(detections);
        detections = image.ToDecodedPixels(detections);
        var rgb = (byte[])image.Pixels.Clone();
        if (bgr)
        {
            for (var o = 0; o < rgb.Length; o += 3) (rgb[o], rgb[o + 2]) = (rgb[o + 2], rgb[o]);
        }

        int stride = image.Width * 3;
        foreach (var detection in detections)
        {
            var (left, top, right, bottom) = PixelBounds(detection, image.Width, image.Height);
            if (right < left || bottom < top) continue;
            var colour = ClassColour(detection.ClassIndex);
            for (var y = top; y <= bottom; y++)
            {
                var horizontalEdge = y < top + Thickness || y > bottom - Thickness;
                for (var x = left; x <= right; x++)
                {
                    if (!horizontalEdge && x >= left + Thickness && x <= right - Thickness) continue;
                    int o = y * stride + x * 3;
                    (rgb[o], rgb[o + 1], rgb[o + 2]) = (colour.R, colour.G, colour.B);
                }
            }
        }

        DrawLabels(rgb, image.Width, image.Height, detections);
        return SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(rgb, image.Width, image.Height);
    }

    /// <summary>Where each detection's label tag goes, and how its text is set.</summary>
    public static IReadOnlyList<LabelTag> LayOutLabels(int width, int height, IReadOnlyList<Detection> detections)
    {
        int textHeight = TextHeight(width, height);
        int thickness = Math.Max(1, (int)Math.Round(textHeight / 12.0));
        double scale = Cv2.GetFontScaleFromHeight(HersheyFonts.HersheySimplex, textHeight, thickness);
        int padding = Math.Max(2, textHeight / 4);
        var tags = new List<LabelTag>(detections.Count);
        foreach (var detection in detections)
        {
            var (left, top, right, bottom) = PixelBounds(detection, width, height);
            if (right < left || bottom < top) continue;
            var text = $"{detection.Label} {detection.Score.ToString("0.00", CultureInfo.InvariantCulture)}";
            var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, thickness, out int baseline);
            int tagWidth = size.Width + 2 * padding, tagHeight = size.Height + baseline + 2 * padding;
            int tagTop = top - tagHeight >= 0 ? top - tagHeight : Math.Min(top, Math.Max(0, height - tagHeight));
            int tagLeft = Math.Max(0, Math.Min(left, width - tagWidth));
            tags.Add(new LabelTag(detection.ClassIndex, text, tagLeft, tagTop, tagWidth, tagHeight,
                new Point(tagLeft + padding, tagTop + padding + size.Height), scale, thickness));
        }

        return tags;
    }

    /// <summary>Text height for an image: 2.2 % of its longest side, at least <see cref="MinTextHeight"/>.</summary>
    public static int TextHeight(int width, int height) => Math.Max(MinTextHeight, (int)Math.Round(Math.Max(width, height) * 0.022));

    /// <summary>Black or white text, whichever stands out on the class colour.</summary>
    public static Rgb24 TextColour(Rgb24 background) =>
        0.299 * background.R + 0.587 * background.G + 0.114 * background.B > 140 ? new Rgb24(0, 0, 0) : new Rgb24(255, 255, 255);

    private static void DrawLabels(byte[] rgb, int width, int height, IReadOnlyList<Detection> detections)
    {
        var tags = LayOutLabels(width, height, detections);
        if (tags.Count == 0) return;
        var pinned = GCHandle.Alloc(rgb, GCHandleType.Pinned);
        try
        {
            // A view of the RGB buffer: OpenCV draws in the buffer's own channel order, so colours are given as RGB.
            using var canvas = Mat.FromPixelData(height, width, MatType.CV_8UC3, pinned.AddrOfPinnedObject());
            foreach (var tag in tags)
            {
                var fill = ClassColour(tag.ClassIndex);
                var ink = TextColour(fill);
                var area = new Rect(tag.Left, tag.Top, tag.Width, tag.Height).Intersect(new Rect(0, 0, width, height));
                Cv2.Rectangle(canvas, area, new Scalar(fill.R, fill.G, fill.B), thickness: -1);
                using var clip = new Mat(canvas, area);
                Cv2.PutText(clip, tag.Text, new Point(tag.Origin.X - area.X, tag.Origin.Y - area.Y), HersheyFonts.HersheySimplex,
                    tag.FontScale, new Scalar(ink.R, ink.G, ink.B), tag.Thickness, LineTypes.AntiAlias);
            }
        }
        finally
        {
            pinned.Free();
        }
    }

    /// <summary>The pixels a box covers: from the pixel holding (x1, y1) to the one holding (x2, y2), clipped.</summary>
    public static (int Left, int Top, int Right, int Bottom) PixelBounds(Detection box, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(box);
        return (Math.Clamp((int)MathF.Floor(box.X1), 0, width - 1), Math.Clamp((int)MathF.Floor(box.Y1), 0, height - 1),
                Math.Clamp((int)MathF.Ceiling(box.X2) - 1, 0, width - 1), Math.Clamp((int)MathF.Ceiling(box.Y2) - 1, 0, height - 1));
    }

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
