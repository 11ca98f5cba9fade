using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

public sealed class CanvasGeometryTests
{
    [Theory]
    [InlineData(256, 383, 63)]
    [InlineData(512, 639, 63)]
    [InlineData(511, 511, 0)]
    [InlineData(97, 127, 15)]
    [InlineData(301, 383, 41)]
    public void Centres_like_crop_image(int size, int canvas, int border)
    {
        var g = CanvasGeometry.For(size, size, 1.0);
        Assert.Equal(canvas, g.CanvasHeight);
        Assert.Equal(canvas, g.CanvasWidth);
        Assert.Equal(border, g.BorderTop);
        Assert.Equal(border, g.BorderLeft);
        Assert.Equal((canvas + 1) / 4, g.OutputHeight);
        Assert.Equal((float)((canvas + 1) / 4 / (double)canvas), g.WidthRatio);
    }

    [Fact]
    public void Odd_rectangle_at_scale_one()
    {
        var g = CanvasGeometry.For(height: 97, width: 301, scale: 1.0);
        Assert.Equal((127, 383), (g.CanvasHeight, g.CanvasWidth));
        Assert.Equal((32, 96), (g.OutputHeight, g.OutputWidth));
        Assert.Equal((15, 41), (g.BorderTop, g.BorderLeft));
        Assert.Equal((97, 301), (g.CopiedHeight, g.CopiedWidth));
    }

    [Fact]
    public void Scale_truncates_like_python_int()
    {
        var g = CanvasGeometry.For(height: 97, width: 301, scale: 0.75);
        Assert.Equal((72, 225), (g.ResizedHeight, g.ResizedWidth)); // int(72.75), int(225.75)
        Assert.Equal((127, 255), (g.CanvasHeight, g.CanvasWidth));
        Assert.Equal((63 - 36, 127 - 112), (g.BorderTop, g.BorderLeft));
    }

    [Fact]
    public void Image_already_of_canvas_form_loses_its_last_row_and_column_like_crop_image()
    {
        var g = CanvasGeometry.For(height: 255, width: 127, scale: 1.0);
        Assert.Equal((255, 127), (g.CanvasHeight, g.CanvasWidth));
        Assert.Equal((0, 0), (g.BorderTop, g.BorderLeft));
        Assert.Equal((254, 126), (g.CopiedHeight, g.CopiedWidth));
    }
}
