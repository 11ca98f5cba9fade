using CornerNet.Training.Trainer;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Training.Commands;

/// <summary>
/// A loss-curve PNG drawn pixel by pixel (no drawing library is available): total loss against iteration on a log
/// scale, raw values in light grey, a moving average in blue, the learning-rate step as a red vertical line and
/// grey grid lines at every power of ten.
/// </summary>
public static class LossCurvePlot
{
    private const int Width = 800;
    private const int Height = 400;
    private const int Margin = 20;

    public static void Save(IReadOnlyList<LossLogEntry> entries, string path)
    {
        var positive = entries.Where(e => e.Total > 0 && double.IsFinite(e.Total)).ToList();
        if (positive.Count < 2) return;
        var smoothed = MovingAverage(positive.Select(e => e.Total).ToList(), Math.Max(1, positive.Count / 100));
        var minLog = Math.Floor(Math.Log10(positive.Min(e => e.Total)));
        var maxLog = Math.Ceiling(Math.Log10(positive.Max(e => e.Total)));
        if (maxLog <= minLog) maxLog = minLog + 1;
        double first = positive[0].Iteration, last = positive[^1].Iteration;

        int X(double iteration) => Margin + (int)Math.Round((iteration - first) / Math.Max(last - first, 1) * (Width - 2 * Margin - 1));
        int Y(double value) => Height - Margin - 1 - (int)Math.Round((Math.Log10(value) - minLog) / (maxLog - minLog) * (Height - 2 * Margin - 1));

        using var image = new Image<Rgb24>(Width, Height, new Rgb24(255, 255, 255));
        var grid = new Rgb24(225, 225, 225);
        for (var decade = minLog; decade <= maxLog; decade++) HorizontalLine(image, Y(Math.Pow(10, decade)), grid);
        HorizontalLine(image, Height - Margin, new Rgb24(0, 0, 0));
        VerticalLine(image, Margin - 1, new Rgb24(0, 0, 0));

        for (var i = 1; i < positive.Count; i++)
        {
            if (positive[i].LearningRate < positive[i - 1].LearningRate) VerticalLine(image, X(positive[i].Iteration), new Rgb24(230, 80, 80));
        }

        foreach (var entry in positive) Plot(image, X(entry.Iteration), Y(entry.Total), new Rgb24(190, 190, 190));
        for (var i = 1; i < positive.Count; i++)
        {
            Line(image, X(positive[i - 1].Iteration), Y(smoothed[i - 1]), X(positive[i].Iteration), Y(smoothed[i]), new Rgb24(30, 80, 200));
        }

        var temporary = path + ".tmp";
        image.SaveAsPng(temporary);
        File.Move(temporary, path, overwrite: true);
    }

    private static List<double> MovingAverage(IReadOnlyList<double> values, int window)
    {
        var result = new List<double>(values.Count);
        double sum = 0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result.Add(sum / Math.Min(i + 1, window));
        }

        return result;
    }

    private static void Plot(Image<Rgb24> image, int x, int y, Rgb24 colour)
    {
        if (x >= 0 && x < image.Width && y >= 0 && y < image.Height) image[x, y] = colour;
    }

    private static void HorizontalLine(Image<Rgb24> image, int y, Rgb24 colour)
    {
        for (var x = Margin - 1; x < Width - Margin; x++) Plot(image, x, y, colour);
    }

    private static void VerticalLine(Image<Rgb24> image, int x, Rgb24 colour)
    {
        for (var y = Margin; y <= Height - Margin; y++) Plot(image, x, y, colour);
    }

    /// <summary>Bresenham's line, two pixels thick.</summary>
    private static void Line(Image<Rgb24> image, int x0, int y0, int x1, int y1, Rgb24 colour)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, error = dx + dy;
        while (true)
        {
            Plot(image, x0, y0, colour);
            Plot(image, x0, y0 + 1, colour);
            if (x0 == x1 && y0 == y1) break;
            var doubled = 2 * error;
            if (doubled >= dy) { error += dy; x0 += sx; }
            if (doubled <= dx) { error += dx; y0 += sy; }
        }
    }
}
