using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

/// <summary>Hand-computed cases; boxes use the +1-pixel area convention.</summary>
public sealed class SoftNmsTests
{
    // A: 10x10 (area 100). B: 10x5 inside A (area 50) → IoU 0.5. C: far away.
    private static float[] Boxes() =>
    [
        0, 0, 9, 4, 0.8f, 0.8f, 0.8f,   // B first: order must not matter
        0, 0, 9, 9, 0.9f, 0.9f, 0.9f,   // A
        50, 50, 59, 59, 0.3f, 0.3f, 0.3f, // C
    ];

    private static float Score(float[] boxes, int row) => boxes[row * SoftNms.RowLength + 4];

    [Fact]
    public void GaussianDecaysByExpOfMinusIouSquaredOverSigma()
    {
        var boxes = Boxes();
        int kept = SoftNms.Apply(boxes, 3, NmsKind.Gaussian, threshold: 0.99f, sigma: 0.5f, scoreFloor: 0.001f);

        Assert.Equal(3, kept);
        Assert.Equal(0.9f, Score(boxes, 0));          // A selected first
        Assert.Equal(0.8 * Math.Exp(-0.25 / 0.5), Score(boxes, 1), 1e-6); // B: 0.8·e^-0.5 = 0.48522 (threshold ignored)
        Assert.Equal(0.3f, Score(boxes, 2));          // C untouched
        Assert.Equal([0f, 0f, 9f, 4f], boxes[7..11]);
    }

    [Theory]
    [InlineData(0.3f, 0.4f)]  // IoU 0.5 > 0.3: score × (1 - 0.5)
    [InlineData(0.5f, 0.8f)]  // IoU 0.5 is not > 0.5: unchanged
    public void LinearDecaysOnlyAboveTheThreshold(float threshold, float expectedB)
    {
        var boxes = Boxes();
        int kept = SoftNms.Apply(boxes, 3, NmsKind.Linear, threshold, sigma: 0.5f, scoreFloor: 0.001f);
        Assert.Equal(3, kept);
        Assert.Equal(0.9f, Score(boxes, 0));
        Assert.Equal(expectedB, Score(boxes, 1), 1e-6f);
    }

    [Fact]
    public void HardNmsRemovesOverlapsAboveTheThreshold()
    {
        var boxes = Boxes();
        int kept = SoftNms.Apply(boxes, 3, NmsKind.Hard, threshold: 0.3f, sigma: 0.5f, scoreFloor: 0.001f);
        Assert.Equal(2, kept);
        Assert.Equal([0f, 0f, 9f, 9f, 0.9f], boxes[..5]);
        Assert.Equal([50f, 50f, 59f, 59f, 0.3f], boxes[7..12]);
    }

    [Fact]
    public void DiscardedBoxIsGoneAndTheLastBoxTakesItsPlace()
    {
        // A tiny box overlapping A falls below the floor; it must not survive anywhere in the kept rows.
        float[] boxes =
        [
            0, 0, 9, 9, 0.9f, 0.9f, 0.9f,
            0, 0, 9, 8, 0.0015f, 0.1f, 0.1f, // IoU 0.9 → 0.0015·e^-1.62 ≈ 0.0003 < 0.001
            50, 50, 59, 59, 0.3f, 0.3f, 0.3f,
            20, 20, 29, 29, 0.2f, 0.2f, 0.2f,
        ];
        int kept = SoftNms.Apply(boxes, 4, NmsKind.Gaussian, threshold: 0.5f, sigma: 0.5f, scoreFloor: 0.001f);

        Assert.Equal(3, kept);
        var scores = Enumerable.Range(0, kept).Select(r => Score(boxes, r)).ToArray();
        Assert.Equal([0.9f, 0.3f, 0.2f], scores);
    }

    [Fact]
    public void MergeAveragesSuppressedBoxesByCornerScores()
    {
        // Hard NMS: weight 0 → merge weight (1 - 0)^exp = 1, so B joins A's corners fully.
        float[] boxes =
        [
            0, 0, 9, 9, 0.9f, 0.9f, 0.6f,
            0, 0, 9, 4, 0.8f, 0.5f, 0.4f,
        ];
        int kept = SoftNms.Apply(boxes, 2, NmsKind.Hard, threshold: 0.3f, sigma: 0.5f, scoreFloor: 0.001f, mergeWeightExponent: 10f);

        Assert.Equal(1, kept);
        Assert.Equal(0f, boxes[0]);
        Assert.Equal(0f, boxes[1]);
        Assert.Equal((9 * 0.6 + 9 * 0.4) / (0.6 + 0.4), boxes[2], 1e-5);
        Assert.Equal((9 * 0.6 + 4 * 0.4) / (0.6 + 0.4), boxes[3], 1e-5); // 7.0
        Assert.Equal(0.9f, boxes[4]);
    }

    [Fact]
    public void GaussianMergeWeightsByOneMinusWeightToTheExponent()
    {
        float[] boxes =
        [
            0, 0, 9, 9, 0.9f, 0.9f, 0.6f,
            0, 0, 9, 4, 0.8f, 0.5f, 0.4f,
        ];
        SoftNms.Apply(boxes, 2, NmsKind.Gaussian, threshold: 0.5f, sigma: 0.5f, scoreFloor: 0.001f, mergeWeightExponent: 2f);

        double w = Math.Exp(-0.25 / 0.5), m = Math.Pow(1 - w, 2); // 0.1548
        Assert.Equal((9 * 0.6 + 4 * 0.4 * m) / (0.6 + 0.4 * m), boxes[3], 1e-5);
        Assert.Equal(9.0, boxes[2], 1e-5);
        Assert.Equal(0.8 * w, boxes[SoftNms.RowLength + 4], 1e-6);
    }

    [Fact]
    public void TiesSelectTheEarlierBox()
    {
        float[] boxes =
        [
            0, 0, 9, 9, 0.5f, 0.5f, 0.5f,
            1, 1, 9, 9, 0.5f, 0.5f, 0.5f,
        ];
        SoftNms.Apply(boxes, 2, NmsKind.Hard, threshold: 0.3f, sigma: 0.5f, scoreFloor: 0.001f);
        Assert.Equal(0f, boxes[0]);
    }
}
