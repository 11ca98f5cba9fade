namespace CornerNet.Model.Data;

/// <summary>Polygon outlines of the synthetic categories, centred on the origin, varied in aspect and rotation.</summary>
internal static class SyntheticShapeOutlines
{
    public const long Circle = 1, Square = 2, Triangle = 3, Star = 4;

    public static (double X, double Y)[] Create(long categoryId, double size, SplitMix64 random)
    {
        double radius = size / 2;
        return categoryId switch
        {
            Circle => Rotate(Ellipse(radius, radius * Aspect(random), size), RandomAngle(random)),
            Square => Rotate(Rectangle(radius, radius * Aspect(random)), random.NextBool(0.5) ? RandomAngle(random) : 0),
            Triangle => Rotate(TriangleOutline(radius, random), RandomAngle(random)),
            Star => Rotate(StarOutline(radius, random.NextDouble(0.38, 0.55)), RandomAngle(random)),
            _ => throw new ArgumentOutOfRangeException(nameof(categoryId), categoryId, "Not a synthetic shape category."),
        };
    }

    // Half the shapes keep their regular proportions (circle, square); the rest are squashed.
    private static double Aspect(SplitMix64 random) => random.NextBool(0.5) ? 1.0 : random.NextDouble(0.45, 0.9);

    private static double RandomAngle(SplitMix64 random) => random.NextDouble(0, 2 * Math.PI);

    private static (double X, double Y)[] Ellipse(double radiusX, double radiusY, double size)
    {
        // Enough vertices that the polygon is within a small fraction of a pixel of the true ellipse.
        int vertices = Math.Clamp((int)(size * 1.5), 24, 256);
        var points = new (double, double)[vertices];
        for (int i = 0; i < vertices; i++)
        {
            double a = 2 * Math.PI * i / vertices;
            points[i] = (radiusX * Math.Cos(a), radiusY * Math.Sin(a));
        }

        return points;
    }

    private static (double X, double Y)[] Rectangle(double halfWidth, double halfHeight) =>
        [(-halfWidth, -halfHeight), (halfWidth, -halfHeight), (halfWidth, halfHeight), (-halfWidth, halfHeight)];

    private static (double X, double Y)[] TriangleOutline(double radius, SplitMix64 random)
    {
        var points = new (double, double)[3];
        for (int i = 0; i < 3; i++)
        {
            // Jittered equilateral triangle: clearly a triangle, never degenerate.
            double a = (2 * Math.PI * i / 3) + random.NextDouble(-0.2, 0.2);
            double r = radius * random.NextDouble(0.8, 1.0);
            points[i] = (r * Math.Cos(a), r * Math.Sin(a));
        }

        return points;
    }

    private static (double X, double Y)[] StarOutline(double radius, double innerRatio)
    {
        var points = new (double, double)[10];
        for (int i = 0; i < 10; i++)
        {
            double a = (Math.PI * i / 5) - (Math.PI / 2);
            double r = i % 2 == 0 ? radius : radius * innerRatio;
            points[i] = (r * Math.Cos(a), r * Math.Sin(a));
        }

        return points;
    }

    private static (double X, double Y)[] Rotate((double X, double Y)[] points, double angle)
    {
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        return [.. points.Select(p => ((p.X * cos) - (p.Y * sin), (p.X * sin) + (p.Y * cos)))];
    }
}
