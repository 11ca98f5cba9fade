namespace CornerNet.Model.Data;

/// <summary>
/// Even-odd scanline fill of a polygon with a grid of sub-samples per pixel, giving each pixel's coverage in [0, 1].
/// </summary>
internal static class PolygonRasterizer
{
    /// <summary>
    /// Coverage of the pixels in the clipped integer box [Left, Top, Right, Bottom) that holds the polygon;
    /// coverage[(y - Top) * width + (x - Left)].
    /// </summary>
    public static (float[] Coverage, int Left, int Top, int Width, int Height) Rasterize(
        ReadOnlySpan<(double X, double Y)> polygon, int imageWidth, int imageHeight, int samplesPerAxis)
    {
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var (x, y) in polygon)
        {
            minX = Math.Min(minX, x);
            maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y);
            maxY = Math.Max(maxY, y);
        }

        int left = Math.Clamp((int)Math.Floor(minX), 0, imageWidth), right = Math.Clamp((int)Math.Ceiling(maxX), 0, imageWidth);
        int top = Math.Clamp((int)Math.Floor(minY), 0, imageHeight), bottom = Math.Clamp((int)Math.Ceiling(maxY), 0, imageHeight);
        int width = right - left, height = bottom - top;
        var counts = new int[width * height];
        var crossings = new List<double>(8);
        int s = samplesPerAxis;

        for (int row = top * s; row < bottom * s; row++)
        {
            double sampleY = (row + 0.5) / s;
            crossings.Clear();
            for (int i = 0; i < polygon.Length; i++)
            {
                var (x0, y0) = polygon[i];
                var (x1, y1) = polygon[(i + 1) % polygon.Length];

                // Half-open in y so a vertex on the sample line is counted once.
                if ((y0 <= sampleY) != (y1 <= sampleY))
                {
                    crossings.Add(x0 + ((sampleY - y0) * (x1 - x0) / (y1 - y0)));
                }
            }

            crossings.Sort();
            int pixelRow = (row / s) - top;
            for (int i = 0; i + 1 < crossings.Count; i += 2)
            {
                // Sample columns c with (c + 0.5) / s inside [start, end).
                int firstColumn = Math.Max(left * s, (int)Math.Ceiling((crossings[i] * s) - 0.5));
                int lastColumn = Math.Min((right * s) - 1, (int)Math.Ceiling((crossings[i + 1] * s) - 0.5) - 1);
                for (int column = firstColumn; column <= lastColumn; column++)
                {
                    counts[(pixelRow * width) + (column / s) - left]++;
                }
            }
        }

        var coverage = new float[counts.Length];
        float perSample = 1f / (s * s);
        for (int i = 0; i < counts.Length; i++)
        {
            coverage[i] = counts[i] * perSample;
        }

        return (coverage, left, top, width, height);
    }
}
