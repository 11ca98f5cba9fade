using System.Globalization;
using CornerNet.Training.Trainer;
using OpenCvSharp;

namespace CornerNet.Training.Commands;

/// <summary>
/// The loss-curve PNG: total loss against iteration, log-scale y axis with a labelled tick and grid line per power of
/// ten (and at 2 and 5 within a decade when there are few decades), x axis with round iteration ticks, raw values as
/// light grey dots, a moving average in blue, each learning-rate step as a dashed red line labelled with the new rate,
/// a title, axis names and a legend. Drawn with OpenCV (lines, anti-aliased Hershey text), no font files needed.
/// </summary>
public static class LossCurvePlot
{
    public const int Width = 960;
    public const int Height = 540;

    // Plot area inside the image: room on the left for the y tick labels, below for the x ones, above for the title.
    public const int Left = 90;
    public const int Right = Width - 30;
    public const int Top = 60;
    public const int Bottom = Height - 70;

    private const HersheyFonts Font = HersheyFonts.HersheySimplex;
    private static readonly Scalar Black = new(0, 0, 0);
    private static readonly Scalar Grid = new(225, 225, 225);
    private static readonly Scalar Raw = new(185, 185, 185);
    private static readonly Scalar Average = new(200, 80, 30);  // BGR: blue
    private static readonly Scalar Step = new(80, 80, 230);     // BGR: red

    public static void Save(IReadOnlyList<LossLogEntry> entries, string path, string title = "Training loss (total)")
    {
        using var image = Render(entries, title);
        if (image is null) return;
        Cv2.ImEncode(".png", image, out var png);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, png);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The plot as a BGR image, or null when fewer than two entries have a positive finite loss.</summary>
    public static Mat? Render(IReadOnlyList<LossLogEntry> entries, string title)
    {
        var positive = entries.Where(e => e.Total > 0 && double.IsFinite(e.Total)).ToList();
        if (positive.Count < 2) return null;
        var smoothed = MovingAverage(positive.Select(e => e.Total).ToList(), Math.Max(1, positive.Count / 50));
        var minLog = Math.Floor(Math.Log10(positive.Min(e => e.Total)));
        var maxLog = Math.Ceiling(Math.Log10(positive.Max(e => e.Total)));
        if (maxLog <= minLog) maxLog = minLog + 1;
        double first = positive[0].Iteration, last = positive[^1].Iteration;
        if (last <= first) last = first + 1;

        int X(double iteration) => Left + (int)Math.Round((iteration - first) / (last - first) * (Right - Left));
        int Y(double value) => Bottom - (int)Math.Round((Math.Log10(value) - minLog) / (maxLog - minLog) * (Bottom - Top));

        var image = new Mat(Height, Width, MatType.CV_8UC3, Scalar.All(255));

        // y axis: a tick, grid line and label per decade, plus 2 and 5 when the range is at most three decades.
        foreach (var value in YTicks(minLog, maxLog))
        {
            int y = Y(value);
            bool decade = Math.Abs(Math.Log10(value) - Math.Round(Math.Log10(value))) < 1e-9;
            Cv2.Line(image, new Point(Left, y), new Point(Right, y), decade ? Grid : new Scalar(240, 240, 240));
            Cv2.Line(image, new Point(Left - 6, y), new Point(Left, y), Black);
            Text(image, FormatValue(value), new Point(Left - 10, y), 0.45, align: 1, verticalCentre: true);
        }

        // x axis: round iteration ticks.
        foreach (var iteration in XTicks(first, last))
        {
            int x = X(iteration);
            Cv2.Line(image, new Point(x, Bottom), new Point(x, Bottom + 6), Black);
            Text(image, iteration.ToString("N0", CultureInfo.InvariantCulture), new Point(x, Bottom + 24), 0.45, align: 0);
        }

        // Learning-rate steps: dashed red line and the new rate.
        for (var i = 1; i < positive.Count; i++)
        {
            if (!(positive[i].LearningRate < positive[i - 1].LearningRate)) continue;
            int x = X(positive[i].Iteration);
            for (int y = Top; y < Bottom; y += 10) Cv2.Line(image, new Point(x, y), new Point(x, Math.Min(y + 5, Bottom)), Step, 2);
            Text(image, "lr " + positive[i].LearningRate.ToString("0.##e0", CultureInfo.InvariantCulture), new Point(x + 5, Top + 16), 0.45, colour: Step);
        }

        foreach (var entry in positive) Cv2.Circle(image, new Point(X(entry.Iteration), Y(entry.Total)), 1, Raw, -1);
        var curve = positive.Select((e, i) => new Point(X(e.Iteration), Y(smoothed[i]))).ToArray();
        Cv2.Polylines(image, [curve], isClosed: false, Average, 2, LineTypes.AntiAlias);

        // Axes, title, axis names, legend.
        Cv2.Line(image, new Point(Left, Top), new Point(Left, Bottom), Black);
        Cv2.Line(image, new Point(Left, Bottom), new Point(Right, Bottom), Black);
        Text(image, title, new Point(Width / 2, 32), 0.75, align: 0, thickness: 2);
        Text(image, "iteration", new Point((Left + Right) / 2, Height - 20), 0.55, align: 0);
        using (var label = new Mat(30, Bottom - Top, MatType.CV_8UC3, Scalar.All(255)))
        {
            Text(label, "loss (log scale)", new Point(label.Cols / 2, 20), 0.55, align: 0);
            using var turned = new Mat();
            Cv2.Rotate(label, turned, RotateFlags.Rotate90Counterclockwise);
            turned.CopyTo(new Mat(image, new Rect(8, Top, turned.Cols, turned.Rows)));
        }

        int legendX = Right - 230, legendY = Top + 40;
        Cv2.Rectangle(image, new Rect(legendX - 10, legendY - 18, 235, 70), Scalar.All(255), -1);
        Cv2.Rectangle(image, new Rect(legendX - 10, legendY - 18, 235, 70), Grid);
        Cv2.Circle(image, new Point(legendX + 10, legendY - 4), 2, Raw, -1);
        Text(image, "each logged iteration", new Point(legendX + 30, legendY), 0.45);
        Cv2.Line(image, new Point(legendX, legendY + 16), new Point(legendX + 20, legendY + 16), Average, 2, LineTypes.AntiAlias);
        Text(image, $"moving average ({Math.Max(1, positive.Count / 50)})", new Point(legendX + 30, legendY + 20), 0.45);
        for (int x = legendX; x < legendX + 20; x += 8) Cv2.Line(image, new Point(x, legendY + 36), new Point(x + 4, legendY + 36), Step, 2);
        Text(image, "learning-rate step", new Point(legendX + 30, legendY + 40), 0.45);
        return image;
    }

    /// <summary>Values with a y tick: each power of ten in the range, and 2 and 5 times it over at most three decades.</summary>
    public static IReadOnlyList<double> YTicks(double minLog, double maxLog)
    {
        var ticks = new List<double>();
        bool fine = maxLog - minLog <= 3;
        for (var decade = minLog; decade <= maxLog; decade++)
        {
            var power = Math.Pow(10, decade);
            ticks.Add(power);
            if (fine && decade < maxLog) ticks.AddRange([2 * power, 5 * power]);
        }

        return ticks;
    }

    /// <summary>Round iteration ticks (1, 2 or 5 times a power of ten apart), about six across the range.</summary>
    public static IReadOnlyList<long> XTicks(double first, double last)
    {
        var raw = (last - first) / 6;
        var power = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(raw, 1))));
        var step = (long)(raw / power >= 5 ? 5 * power : raw / power >= 2 ? 2 * power : power);
        step = Math.Max(step, 1);
        var ticks = new List<long>();
        for (var t = (long)Math.Ceiling(first / step) * step; t <= last; t += step) ticks.Add(t);
        return ticks;
    }

    public static string FormatValue(double value) =>
        value is >= 0.01 and < 10000 ? value.ToString("0.##", CultureInfo.InvariantCulture) : value.ToString("0e0", CultureInfo.InvariantCulture);

    /// <param name="align">-1 left (the point is where the text starts), 0 centred, 1 right (the point is where it ends).</param>
    private static void Text(Mat image, string text, Point at, double scale, int align = -1, bool verticalCentre = false,
        Scalar? colour = null, int thickness = 1)
    {
        var size = Cv2.GetTextSize(text, Font, scale, thickness, out _);
        int x = align switch { 0 => at.X - size.Width / 2, 1 => at.X - size.Width, _ => at.X };
        int y = verticalCentre ? at.Y + size.Height / 2 : at.Y;
        Cv2.PutText(image, text, new Point(x, y), Font, scale, colour ?? Black, thickness, LineTypes.AntiAlias);
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
}
