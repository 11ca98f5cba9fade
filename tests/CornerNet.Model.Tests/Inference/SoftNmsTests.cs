using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

/// <summary>Hand-computed cases; boxes use the +1-pixel area convention.</summary>
public sealed class SoftNmsTests
{
    // A: 10x10 (area 100). B: 10x5 inside A (area 50) → IoU 0.5. C: far away.
    private static CornerDetection[] Boxes() =>
    [
        Box(0, 0, 9, 4, 0.8f, 0.8f, 0.8f),   // B first: order must not matter
        Box(0, 0, 9, 9, 0.9f, 0.9f, 0.9f),   // A
        Box(50, 50, 59, 59, 0.3f, 0.3f, 0.3f), // C
    ];

    private static CornerDetection Box(float x1, float y1, float x2, float y2, float score, float topLeftScore, float bottomRightScore, int cls = 0) =>
        new(x1, y1, x2, y2, score, topLeftScore, bottomRightScore, cls);

    private static float[] Corners(CornerDetection box) => [box.X1, box.Y1, box.X2, box.Y2];

    [Fact]
    public void Gaussian_decays_by_exp_of_minus_IoU_squared_over_sigma()
    {
        var boxes = Boxes();
        int kept = SoftNms.Apply(boxes, NmsKind.Gaussian, threshold: 0.99f, sigma: 0.5f, scoreFloor: 0.001f);

        Assert.Equal(3, kept);
        Assert.Equal(0.9f, boxes[0].Score);          // A selected first
        Assert.Equal(0.8 * Math.Exp(-0.25 / 0.5), boxes[1].Score, 1e-6); // B: 0.8·e^-0.5 = 0.48522 (threshold ignored)
        Assert.Equal(0.3f, boxes[2].Score);          // C untouched
        Assert.Equal([0f, 0f, 9f, 4f], Corners(boxes[1]));
    }

    [Theory]
    [InlineData(0.3f, 0.4f)]  // IoU 0.5 > 0.3: score × (1 - 0.5)
    [InlineData(0.5f, 0.8f)]  // IoU 0.5 is not > 0.5: unchanged
    public void Linear_decays_only_above_the_threshold(float threshold, float expectedB)
    {
        var boxes = Boxes();
        int kept = SoftNms.Apply(boxes, NmsKind.Linear, threshold, sigma: 0.5f, scoreFloor: 0.001f);
        Assert.Equal(3, kept);
        Assert.Equal(0.9f, boxes[0].Score);
        Assert.Equal(expectedB, boxes[1].Score, 1e-6f);
    }

    [Fact]
    public void Hard_NMS_removes_overlaps_above_the_threshold()
    {
        var boxes = Boxes();
        int kept = SoftNms.Apply(boxes, NmsKind.Hard, threshold: 0.3f, sigma: 0.5f, scoreFloor: 0.001f);
        Assert.Equal(2, kept);
        Assert.Equal(Box(0, 0, 9, 9, 0.9f, 0.9f, 0.9f), boxes[0]);
        Assert.Equal(Box(50, 50, 59, 59, 0.3f, 0.3f, 0.3f), boxes[1]);
    }

    [Fact]
    public void Discarded_box_is_gone_and_the_last_box_takes_its_place()
    {
        // A tiny box overlapping A falls below the floor; it must not survive anywhere in the kept boxes.
        CornerDetection[] boxes =
        [
            Box(0, 0, 9, 9, 0.9f, 0.9f, 0.9f),
            Box(0, 0, 9, 8, 0.0015f, 0.1f, 0.1f), // IoU 0.9 → 0.0015·e^-1.62 ≈ 0.0003 < 0.001
            Box(50, 50, 59, 59, 0.3f, 0.3f, 0.3f),
            Box(20, 20, 29, 29, 0.2f, 0.2f, 0.2f),
        ];
        int kept = SoftNms.Apply(boxes, NmsKind.Gaussian, threshold: 0.5f, sigma: 0.5f, scoreFloor: 0.001f);

        Assert.Equal(3, kept);
        Assert.Equal([0.9f, 0.3f, 0.2f], boxes[..kept].Select(b => b.Score));
    }

    [Fact]
    public void Merge_averages_suppressed_boxes_by_corner_scores()
    {
        // Hard NMS: weight 0 → merge weight (1 - 0)^exp = 1, so B joins A's corners fully.
        CornerDetection[] boxes =
        [
            Box(0, 0, 9, 9, 0.9f, 0.9f, 0.6f),
            Box(0, 0, 9, 4, 0.8f, 0.5f, 0.4f),
        ];
        int kept = SoftNms.Apply(boxes, NmsKind.Hard, threshold: 0.3f, sigma: 0.5f, scoreFloor: 0.001f, mergeWeightExponent: 10f);

        Assert.Equal(1, kept);
        Assert.Equal(0f, boxes[0].X1);
        Assert.Equal(0f, boxes[0].Y1);
        Assert.Equal((9 * 0.6 + 9 * 0.4) / (0.6 + 0.4), boxes[0].X2, 1e-5);
        Assert.Equal((9 * 0.6 + 4 * 0.4) / (0.6 + 0.4), boxes[0].Y2, 1e-5); // 7.0
        Assert.Equal(0.9f, boxes[0].Score);
    }

    [Fact]
    public void Gaussian_merge_weights_by_one_minus_weight_to_the_exponent()
    {
        CornerDetection[] boxes =
        [
            Box(0, 0, 9, 9, 0.9f, 0.9f, 0.6f),
            Box(0, 0, 9, 4, 0.8f, 0.5f, 0.4f),
        ];
        SoftNms.Apply(boxes, NmsKind.Gaussian, threshold: 0.5f, sigma: 0.5f, scoreFloor: 0.001f, mergeWeightExponent: 2f);

        double w = Math.Exp(-0.25 / 0.5), m = Math.Pow(1 - w, 2); // 0.1548
        Assert.Equal((9 * 0.6 + 4 * 0.4 * m) / (0.6 + 0.4 * m), boxes[0].Y2, 1e-5);
        Assert.Equal(9.0, boxes[0].X2, 1e-5);
        Assert.Equal(0.8 * w, boxes[1].Score, 1e-6);
    }

    [Fact]
    public void Ties_select_the_earlier_box()
    {
        CornerDetection[] boxes =
        [
            Box(0, 0, 9, 9, 0.5f, 0.5f, 0.5f),
            Box(1, 1, 9, 9, 0.5f, 0.5f, 0.5f),
        ];
        SoftNms.Apply(boxes, NmsKind.Hard, threshold: 0.3f, sigma: 0.5f, scoreFloor: 0.001f);
        Assert.Equal(0f, boxes[0].X1);
    }

    [Fact]
    public void A_moved_box_keeps_its_own_corner_scores_and_class()
    {
        // B (best, last) is swapped to the front; A moves behind it whole, so B merges with A's corner weights.
        CornerDetection[] boxes =
        [
            Box(0, 0, 9, 9, 0.5f, 0.2f, 0.3f, cls: 4),
            Box(50, 50, 59, 59, 0.4f, 0.4f, 0.4f, cls: 4),
            Box(0, 0, 9, 4, 0.9f, 0.7f, 0.6f, cls: 4),
        ];
        int kept = SoftNms.Apply(boxes, NmsKind.Hard, threshold: 0.3f, sigma: 0.5f, scoreFloor: 0.001f, mergeWeightExponent: 1f);

        Assert.Equal(2, kept);
        Assert.Equal((0.7f, 0.6f, 4), (boxes[0].TopLeftScore, boxes[0].BottomRightScore, boxes[0].Class));
        Assert.Equal((4 * 0.6 + 9 * 0.3) / (0.6 + 0.3), boxes[0].Y2, 1e-5);
        Assert.Equal(Box(50, 50, 59, 59, 0.4f, 0.4f, 0.4f, cls: 4), boxes[1]);
    }
}
