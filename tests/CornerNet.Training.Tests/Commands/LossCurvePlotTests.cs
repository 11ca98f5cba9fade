using CornerNet.Training.Commands;
using CornerNet.Training.Trainer;
using OpenCvSharp;

namespace CornerNet.Training.Tests.Commands;

public sealed class LossCurvePlotTests
{
    /// <summary>A loss falling from about 30 to 0.3 over 3000 iterations, learning rate divided by 10 at 2400.</summary>
    private static List<LossLogEntry> Log()
    {
        var random = new Random(3);
        return Enumerable.Range(0, 300).Select(i =>
        {
            int iteration = 10 * (i + 1);
            double total = 30 * Math.Exp(-iteration / 600.0) + 0.3 + random.NextDouble() * 0.4;
            return new LossLogEntry(iteration, iteration < 2400 ? 2.5e-4 : 2.5e-5, total, total * 0.8, 0.1, 0.1, total * 0.1, iteration * 0.5);
        }).ToList();
    }

    private static int DarkPixels(Mat image, Rect area)
    {
        using var region = new Mat(image, area);
        using var gray = new Mat();
        Cv2.CvtColor(region, gray, ColorConversionCodes.BGR2GRAY);
        using var dark = new Mat();
        Cv2.Threshold(gray, dark, 110, 255, ThresholdTypes.BinaryInv);
        return Cv2.CountNonZero(dark);
    }

    [Fact]
    public void The_plot_has_a_title_tick_labels_axis_names_and_the_learning_rate_step()
    {
        using var image = LossCurvePlot.Render(Log(), "Training loss (total)")!;
        Assert.Equal((LossCurvePlot.Width, LossCurvePlot.Height), (image.Cols, image.Rows));

        // Title above the plot area, axis names below and left of it, tick labels beside the axes: text is dark ink.
        Assert.True(DarkPixels(image, new Rect(LossCurvePlot.Width / 2 - 150, 10, 300, 35)) > 300, "title");
        Assert.True(DarkPixels(image, new Rect(LossCurvePlot.Left, LossCurvePlot.Height - 40, LossCurvePlot.Right - LossCurvePlot.Left, 35)) > 100, "x axis name");
        Assert.True(DarkPixels(image, new Rect(0, LossCurvePlot.Top, 40, LossCurvePlot.Bottom - LossCurvePlot.Top)) > 150, "y axis name");
        Assert.True(DarkPixels(image, new Rect(40, LossCurvePlot.Top - 10, LossCurvePlot.Left - 45, LossCurvePlot.Bottom - LossCurvePlot.Top + 20)) > 300, "y tick labels");
        Assert.True(DarkPixels(image, new Rect(LossCurvePlot.Left - 20, LossCurvePlot.Bottom + 8, LossCurvePlot.Right - LossCurvePlot.Left + 40, 25)) > 300, "x tick labels");

        // The learning-rate step: red dashes in the column of iteration 2400 (x from the axis' linear scale).
        int x = LossCurvePlot.Left + (int)Math.Round((2400.0 - 10) / (3000 - 10) * (LossCurvePlot.Right - LossCurvePlot.Left));
        int red = 0;
        for (int y = LossCurvePlot.Top; y < LossCurvePlot.Bottom; y++)
        {
            var p = image.At<Vec3b>(y, x);
            if (p.Item2 > 200 && p.Item0 < 120 && p.Item1 < 120) red++;
        }

        Assert.InRange(red, (LossCurvePlot.Bottom - LossCurvePlot.Top) / 3, LossCurvePlot.Bottom - LossCurvePlot.Top);
    }

    [Fact]
    public void Ticks_are_round_numbers()
    {
        Assert.Equal([0L, 500, 1000, 1500, 2000, 2500, 3000], LossCurvePlot.XTicks(0, 3000));
        Assert.Equal([10L, 20, 30, 40, 50, 60, 70, 80, 90, 100], LossCurvePlot.XTicks(10, 100));
        Assert.Equal([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100], LossCurvePlot.YTicks(-1, 2).Select(v => Math.Round(v, 6)));
        Assert.Equal([1e-3, 1e-2, 0.1, 1, 10], LossCurvePlot.YTicks(-3, 1).Select(v => Math.Round(v, 6)));
        Assert.Equal(["0.1", "2", "50", "1e-3", "1e5"], new[] { 0.1, 2, 50, 1e-3, 1e5 }.Select(LossCurvePlot.FormatValue));
    }

    [Fact]
    public void Save_writes_a_png()
    {
        var path = Path.Combine(Path.GetTempPath(), $"loss-curve-{Guid.NewGuid():N}.png");
        try
        {
            LossCurvePlot.Save(Log(), path);
            using var read = Cv2.ImRead(path);
            Assert.Equal((LossCurvePlot.Width, LossCurvePlot.Height), (read.Cols, read.Rows));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
