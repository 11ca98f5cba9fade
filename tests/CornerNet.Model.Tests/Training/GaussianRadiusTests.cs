using CornerNet.Model.Training;

namespace CornerNet.Model.Tests.Training;

public class GaussianRadiusTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 10)]
    [InlineData(21, 21)]
    [InlineData(32, 8)]
    [InlineData(5, 40)]
    [InlineData(3, 100)]
    [InlineData(128, 128)]
    [InlineData(2, 7)]
    public void Matches_the_authors_three_quadratics(double height, double width)
    {
        Assert.Equal(AuthorsFormula(height, width, 0.3), GaussianRadius.Compute(height, width), 12);
        Assert.Equal(AuthorsFormula(height, width, 0.7), GaussianRadius.Compute(height, width, 0.7), 12);
    }

    [Fact]
    public void Hand_computed_values()
    {
        // For a square of side s at IoU 0.3 the second case wins: r = s (1 - sqrt(0.3)) / 2.
        Assert.Equal(2.2613872124741694, GaussianRadius.Compute(10, 10), 10);
        Assert.Equal(5 * (1 - Math.Sqrt(0.3)), GaussianRadius.Compute(10, 10), 10);
        Assert.Equal(28.945756319669364, GaussianRadius.Compute(128, 128), 9);
        Assert.Equal(2, GaussianRadius.ComputeInteger(10, 10));
        Assert.Equal(28, GaussianRadius.ComputeInteger(128, 128));
        Assert.Equal(0, GaussianRadius.ComputeInteger(1, 1));
        Assert.Equal(1, GaussianRadius.ComputeInteger(3, 100));
    }

    /// <summary>sample/utils.py gaussian_radius, line by line.</summary>
    private static double AuthorsFormula(double height, double width, double minOverlap)
    {
        double a1 = 1, b1 = height + width, c1 = width * height * (1 - minOverlap) / (1 + minOverlap);
        double sq1 = Math.Sqrt(Math.Pow(b1, 2) - 4 * a1 * c1), r1 = (b1 - sq1) / (2 * a1);
        double a2 = 4, b2 = 2 * (height + width), c2 = (1 - minOverlap) * width * height;
        double sq2 = Math.Sqrt(Math.Pow(b2, 2) - 4 * a2 * c2), r2 = (b2 - sq2) / (2 * a2);
        double a3 = 4 * minOverlap, b3 = -2 * minOverlap * (height + width), c3 = (minOverlap - 1) * width * height;
        double sq3 = Math.Sqrt(Math.Pow(b3, 2) - 4 * a3 * c3), r3 = (b3 + sq3) / (2 * a3);
        return new[] { r1, r2, r3 }.Min();
    }
}
