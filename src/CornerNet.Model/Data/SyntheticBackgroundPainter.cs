namespace CornerNet.Model.Data;

/// <summary>Textured backgrounds for synthetic images: blotchy noise, linear gradients or soft stripes, all with grain.</summary>
internal static class SyntheticBackgroundPainter
{
    /// <summary>Fills an RGB canvas (3 floats per pixel, 0..255) and returns its mean colour.</summary>
    public static (float R, float G, float B) Paint(float[] canvas, int width, int height, SplitMix64 random)
    {
        var first = RandomColour(random);
        var second = RandomColour(random);
        double angle = random.NextDouble(0, Math.PI);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double grain = random.NextDouble(2, 18);
        Func<int, int, double> mix = random.NextInt(0, 2) switch
        {
            0 => BlotchyNoise(width, height, random),
            1 => Gradient(width, height, cos, sin),
            _ => Stripes(random.NextDouble(6, 40), random.NextDouble(0, 1), cos, sin),
        };

        double sumR = 0, sumG = 0, sumB = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double t = mix(x, y);
                int at = 3 * ((y * width) + x);
                canvas[at] = Grainy(first.R + ((second.R - first.R) * t), grain, random);
                canvas[at + 1] = Grainy(first.G + ((second.G - first.G) * t), grain, random);
                canvas[at + 2] = Grainy(first.B + ((second.B - first.B) * t), grain, random);
                sumR += canvas[at];
                sumG += canvas[at + 1];
                sumB += canvas[at + 2];
            }
        }

        double pixels = (double)width * height;
        return ((float)(sumR / pixels), (float)(sumG / pixels), (float)(sumB / pixels));
    }

    public static (float R, float G, float B) RandomColour(SplitMix64 random) =>
        ((float)random.NextDouble(0, 255), (float)random.NextDouble(0, 255), (float)random.NextDouble(0, 255));

    private static float Grainy(double value, double grain, SplitMix64 random) =>
        (float)Math.Clamp(value + ((random.NextDouble() - 0.5) * grain), 0, 255);

    private static Func<int, int, double> Gradient(int width, int height, double cos, double sin)
    {
        // Project the corners on the direction so the gradient spans exactly the image.
        double[] corners = [0, (width - 1) * cos, (height - 1) * sin, ((width - 1) * cos) + ((height - 1) * sin)];
        double low = corners.Min(), span = Math.Max(1e-9, corners.Max() - low);
        return (x, y) => ((x * cos) + (y * sin) - low) / span;
    }

    private static Func<int, int, double> Stripes(double period, double phase, double cos, double sin) =>
        (x, y) => 0.5 + (0.5 * Math.Sin(2 * Math.PI * ((((x * cos) + (y * sin)) / period) + phase)));

    /// <summary>Value noise: random levels on a coarse grid, bilinearly interpolated.</summary>
    private static Func<int, int, double> BlotchyNoise(int width, int height, SplitMix64 random)
    {
        double cell = random.NextDouble(12, 48);
        int columns = (int)Math.Ceiling(width / cell) + 2, rows = (int)Math.Ceiling(height / cell) + 2;
        var levels = new double[columns * rows];
        for (int i = 0; i < levels.Length; i++)
        {
            levels[i] = random.NextDouble();
        }

        return (x, y) =>
        {
            double gx = x / cell, gy = y / cell;
            int cx = (int)gx, cy = (int)gy;
            double fx = gx - cx, fy = gy - cy;
            double top = levels[(cy * columns) + cx] + ((levels[(cy * columns) + cx + 1] - levels[(cy * columns) + cx]) * fx);
            double bottom = levels[((cy + 1) * columns) + cx] + ((levels[((cy + 1) * columns) + cx + 1] - levels[((cy + 1) * columns) + cx]) * fx);
            return top + ((bottom - top) * fy);
        };
    }
}
