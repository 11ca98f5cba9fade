using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

/// <summary>Output grid → image pixels, as _rescale_dets and the flip handling in kp_detection do it.</summary>
public sealed class CandidateMappingTests
{
    private static float[] Map(CornerDetection decoded, CanvasGeometry geometry, bool mirrored)
    {
        var buffer = new CandidateBuffer(1);
        buffer.AddMapped([decoded], geometry, mirrored);
        Assert.Equal(1, buffer.Count);
        var box = buffer.Rows[0];
        Assert.Equal((decoded.Score, decoded.TopLeftScore, decoded.BottomRightScore, decoded.Class), (box.Score, box.TopLeftScore, box.BottomRightScore, box.Class));
        return [box.X1, box.Y1, box.X2, box.Y2];
    }

    private static CornerDetection DecodedRow(float x1, float y1, float x2, float y2) => new(x1, y1, x2, y2, 0.5f, 0.6f, 0.4f, 2);

    [Fact]
    public void Maps_grid_to_pixels_on_an_odd_sized_image()
    {
        var g = CanvasGeometry.For(height: 97, width: 301, scale: 1.0); // canvas 127x383, grid 32x96, border (15, 41)
        var row = Map(DecodedRow(20, 8, 40, 20), g, mirrored: false);

        Assert.Equal(20 * 383 / 96.0 - 41, row[0], 1e-3);
        Assert.Equal(8 * 127 / 32.0 - 15, row[1], 1e-3);
        Assert.Equal(40 * 383 / 96.0 - 41, row[2], 1e-3);
        Assert.Equal(20 * 127 / 32.0 - 15, row[3], 1e-3);
    }

    [Fact]
    public void Unmirrors_with_output_width_not_output_width_minus_one()
    {
        var g = CanvasGeometry.For(height: 97, width: 301, scale: 1.0);
        var row = Map(DecodedRow(20, 8, 40, 20), g, mirrored: true);

        // x' = 96 - x and the two x coordinates swap.
        Assert.Equal((96 - 40) * 383 / 96.0 - 41, row[0], 1e-3);
        Assert.Equal((96 - 20) * 383 / 96.0 - 41, row[2], 1e-3);
        Assert.Equal(8 * 127 / 32.0 - 15, row[1], 1e-3);
        Assert.True(row[0] < row[2]);
    }

    [Fact]
    public void Clips_to_the_resized_image()
    {
        var g = CanvasGeometry.For(height: 97, width: 301, scale: 1.0);
        var row = Map(DecodedRow(1, 1, 95, 31), g, mirrored: false);
        Assert.Equal(0f, row[0]);   // 1 * 383/96 - 41 < 0
        Assert.Equal(0f, row[1]);   // 1 * 127/32 - 15 < 0
        Assert.Equal(301f, row[2]); // beyond the right edge
        Assert.Equal(97f, row[3]);
    }

    [Fact]
    public void Divides_by_the_scale_after_clipping()
    {
        var g = CanvasGeometry.For(height: 97, width: 301, scale: 0.5); // resized 48x150, canvas 127x255, grid 32x64, border (39, 52)
        Assert.Equal((39, 52), (g.BorderTop, g.BorderLeft));

        var plain = Map(DecodedRow(20, 12, 40, 20), g, mirrored: false);
        Assert.Equal((20 * 255 / 64.0 - 52) / 0.5, plain[0], 1e-3);
        Assert.Equal((12 * 127 / 32.0 - 39) / 0.5, plain[1], 1e-3);
        Assert.Equal((40 * 255 / 64.0 - 52) / 0.5, plain[2], 1e-3);
        Assert.Equal(Math.Min(20 * 127 / 32.0 - 39, 48) / 0.5, plain[3], 1e-3);

        var mirrored = Map(DecodedRow(20, 12, 40, 20), g, mirrored: true);
        Assert.Equal(((64 - 40) * 255 / 64.0 - 52) / 0.5, mirrored[0], 1e-3);
        Assert.Equal(((64 - 20) * 255 / 64.0 - 52) / 0.5, mirrored[2], 1e-3);
    }

    [Fact]
    public void Drops_rejected_pairs()
    {
        var buffer = new CandidateBuffer(2);
        CornerDetection[] boxes = [DecodedRow(1, 1, 2, 2) with { Score = -1f, Class = 0 }, DecodedRow(3, 3, 4, 4)];
        buffer.AddMapped(boxes, CanvasGeometry.For(97, 301, 1.0), mirrored: false);
        Assert.Equal(1, buffer.Count);
        Assert.Equal(0.5f, buffer.Rows[0].Score);
    }
}
