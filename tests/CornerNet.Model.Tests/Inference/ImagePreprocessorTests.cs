using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

public sealed class ImagePreprocessorTests
{
    private static readonly float[] Mean = ArchitectureSpec.CocoMeanBgr;
    private static readonly float[] Std = ArchitectureSpec.CocoStdBgr;

    private static float Normalised(int channel, byte value) => (float)((value / 255.0 - Mean[channel]) / Std[channel]);

    [Fact]
    public void Places_normalised_pixels_and_pads_with_minus_mean_over_std()
    {
        var image = TestImages.Random(width: 5, height: 3, seed: 1);
        var g = CanvasGeometry.For(image.Height, image.Width, 1.0); // canvas 127x127, border (62, 61)
        int plane = g.CanvasHeight * g.CanvasWidth;
        var canvas = new float[3 * plane];
        var mirror = new float[3 * plane];

        ImagePreprocessor.Fill(image, g, Mean, Std, canvas, mirror);

        Assert.Equal((62, 61), (g.BorderTop, g.BorderLeft));
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(Normalised(c, 0), canvas[c * plane]);
            Assert.Equal(Normalised(c, 0), mirror[c * plane + plane - 1]);
            for (int y = 0; y < image.Height; y++)
            {
                for (int x = 0; x < image.Width; x++)
                {
                    float expected = Normalised(c, image.Pixels[(y * image.Width + x) * 3 + c]);
                    int row = (g.BorderTop + y) * g.CanvasWidth;
                    Assert.Equal(expected, canvas[c * plane + row + g.BorderLeft + x]);
                    Assert.Equal(expected, mirror[c * plane + row + g.CanvasWidth - 1 - g.BorderLeft - x]);
                }
            }
        }

        // Everything outside the image is padding, in both halves.
        int padded = canvas.Count(v => Array.IndexOf(new[] { Normalised(0, 0), Normalised(1, 0), Normalised(2, 0) }, v) >= 0);
        Assert.True(padded >= 3 * (plane - 15));
        Assert.Equal(canvas.Order(), mirror.Order());
    }

    [Fact]
    public void Drops_the_last_column_when_the_image_width_is_already_of_canvas_form()
    {
        var pixels = Enumerable.Repeat((byte)200, 127 * 3).ToArray();
        var image = new DecodedImage(127, 1, pixels);
        var g = CanvasGeometry.For(1, 127, 1.0);
        var canvas = new float[3 * g.CanvasHeight * g.CanvasWidth];

        ImagePreprocessor.Fill(image, g, Mean, Std, canvas, []);

        int row = g.BorderTop * g.CanvasWidth;
        Assert.Equal(Normalised(0, 200), canvas[row + 125]);
        Assert.Equal(Normalised(0, 0), canvas[row + 126]);
    }

    [Fact]
    public void Linear_upscale_matches_OpenCV()
    {
        // cv2.resize(np.array([[0, 255]]), (4, 1)) → [0, 64, 191, 255] (half-pixel centres, edges clamped).
        var image = new DecodedImage(2, 1, [0, 0, 0, 255, 255, 255]);
        var resized = LinearResizer.Resize(image, 4, 1);
        Assert.Equal(new byte[] { 0, 64, 191, 255 }, resized.Pixels.Where((_, i) => i % 3 == 0));
    }

    [Fact]
    public void Linear_halving_averages_pairs_like_OpenCV()
    {
        var image = new DecodedImage(4, 2, [10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40, 12, 12, 12, 22, 22, 22, 32, 32, 32, 42, 42, 42]);
        var resized = LinearResizer.Resize(image, 2, 1);
        Assert.Equal(new byte[] { 16, 36 }, resized.Pixels.Where((_, i) => i % 3 == 0)); // (10+20+12+22+2)>>2, (30+40+32+42+2)>>2
    }

    [Fact]
    public void Scaled_fill_equals_resize_then_fill()
    {
        var image = TestImages.Random(width: 97, height: 61, seed: 3);
        var g = CanvasGeometry.For(image.Height, image.Width, 1.25);
        var direct = new float[3 * g.CanvasHeight * g.CanvasWidth];
        ImagePreprocessor.Fill(image, g, Mean, Std, direct, []);

        var resized = LinearResizer.Resize(image, g.ResizedWidth, g.ResizedHeight);
        var viaResize = new float[direct.Length];
        var g1 = CanvasGeometry.For(resized.Height, resized.Width, 1.0);
        Assert.Equal((g.CanvasHeight, g.CanvasWidth, g.BorderTop, g.BorderLeft), (g1.CanvasHeight, g1.CanvasWidth, g1.BorderTop, g1.BorderLeft));
        ImagePreprocessor.Fill(resized, g1, Mean, Std, viaResize, []);

        Assert.Equal(viaResize, direct);
    }
}
