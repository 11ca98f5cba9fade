using CornerNet.Model.Training;

namespace CornerNet.Model.Tests.Training;

public class GaussianSplatTests
{
    [Fact]
    public void Peak_is_one_at_the_corner_and_falls_as_a_gaussian_of_sigma_diameter_over_six()
    {
        const int size = 15, radius = 3, cx = 7, cy = 6;
        var plane = new float[size * size];
        GaussianSplat.Draw(plane, size, size, cx, cy, radius);

        var sigma = (2 * radius + 1) / 6.0;
        Assert.Equal(1f, plane[cy * size + cx]);
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var inside = Math.Abs(x - cx) <= radius && Math.Abs(y - cy) <= radius;
            var d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            var expected = inside ? Math.Exp(-d2 / (2 * sigma * sigma)) : 0;
            Assert.Equal(expected, plane[y * size + x], 6);
        }

        Assert.True(plane[cy * size + cx + 1] < 1 && plane[cy * size + cx + 2] < plane[cy * size + cx + 1]);
    }

    [Fact]
    public void Is_clipped_at_the_borders_and_keeps_the_maximum()
    {
        const int height = 5, width = 6;
        var plane = new float[height * width];
        plane[1] = 0.99f; // (x 1, y 0): higher than the new Gaussian there
        GaussianSplat.Draw(plane, height, width, 0, 0, 2);

        Assert.Equal(1f, plane[0]);
        Assert.Equal(0.99f, plane[1]);
        Assert.Equal((float)GaussianSplat.Value(2, 2, 2), plane[2 * width + 2]);
        Assert.Equal(0f, plane[3 * width + 0]);
        Assert.Equal(0f, plane[0 * width + 3]);

        GaussianSplat.Draw(plane, height, width, width - 1, height - 1, 1);
        Assert.Equal(1f, plane[height * width - 1]);
        Assert.Equal((float)GaussianSplat.Value(1, 1, 1), plane[(height - 2) * width + width - 2]);
    }

    [Fact]
    public void Radius_zero_marks_only_the_corner()
    {
        var plane = new float[9];
        GaussianSplat.Draw(plane, 3, 3, 1, 1, 0);
        Assert.Equal(new float[] { 0, 0, 0, 0, 1, 0, 0, 0, 0 }, plane);
    }
}
