namespace CornerNet.Model.Training;

/// <summary>
/// Draws the authors' unnormalised Gaussian (peak 1, sigma = diameter / 6, diameter = 2r + 1) into one heatmap plane,
/// keeping the elementwise maximum with what is already there and clipping the square at the borders.
/// </summary>
public static class GaussianSplat
{
    /// <summary>Sigma for a radius, as the authors choose it.</summary>
    public static double Sigma(int radius) => (2 * radius + 1) / 6.0;

    /// <summary>The kernel value at offset (dx, dy) from the centre.</summary>
    public static double Value(int dx, int dy, int radius)
    {
        var sigma = Sigma(radius);
        // The authors zero values below eps * max; with sigma = diameter / 6 the smallest value in the square is
        // exp(-36 r² / (2r+1)²) > exp(-9), so that threshold never applies and is omitted.
        return Math.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
    }

    /// <summary>
    /// Splats a Gaussian centred on the integer pixel (centerX, centerY) into <paramref name="plane"/>, a row-major
    /// height x width map.
    /// </summary>
    public static void Draw(Span<float> plane, int height, int width, int centerX, int centerY, int radius)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        if (plane.Length != height * width)
        {
            throw new ArgumentException($"Plane has {plane.Length} values, expected {height} x {width}.", nameof(plane));
        }

        if ((uint)centerX >= (uint)width || (uint)centerY >= (uint)height)
        {
            throw new ArgumentOutOfRangeException(nameof(centerX), $"Centre ({centerX}, {centerY}) is outside the {width} x {height} map.");
        }

        // Same extents as the authors' slicing: up to r to the left/top, up to r + 1 (exclusive) to the right/bottom.
        var left = Math.Min(centerX, radius);
        var right = Math.Min(width - centerX, radius + 1);
        var top = Math.Min(centerY, radius);
        var bottom = Math.Min(height - centerY, radius + 1);

        var sigma = Sigma(radius);
        var twoSigmaSquared = 2 * sigma * sigma;
        for (var dy = -top; dy < bottom; dy++)
        {
            var row = plane.Slice((centerY + dy) * width, width);
            for (var dx = -left; dx < right; dx++)
            {
                var value = (float)Math.Exp(-(dx * dx + dy * dy) / twoSigmaSquared);
                ref var cell = ref row[centerX + dx];
                if (value > cell) cell = value;
            }
        }
    }
}
