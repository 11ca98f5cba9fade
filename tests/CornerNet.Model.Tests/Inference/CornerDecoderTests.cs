using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;
using TorchSharp;

namespace CornerNet.Model.Tests.Inference;

public sealed class CornerDecoderTests
{
    private const int Classes = 3, Height = 8, Width = 12;

    private static CornerDetection[] Decode(HeadsBuilder builder, DetectorOptions options)
    {
        using var scope = torch.NewDisposeScope();
        using CornerHeads heads = builder.Build();
        return CornerDecoder.Decode(heads, options);
    }

    private static readonly DetectorOptions OnePair = new() { TopK = 1, NumDets = 1 };

    [Fact]
    public void Known_corners_decode_to_the_known_box()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 3, score: 0.8f, tag: 1.0f, dx: 0.25f, dy: 0.5f)
            .BottomRight(0, cls: 1, x: 9, y: 6, score: 0.6f, tag: 1.3f, dx: 0.75f, dy: 0.125f);

        var box = Decode(builder, OnePair)[0];

        Assert.Equal((2.25f, 3.5f, 9.75f, 6.125f), (box.X1, box.Y1, box.X2, box.Y2));
        Assert.Equal(0.7f, box.Score, 1e-5f);
        Assert.Equal(0.8f, box.TopLeftScore, 1e-5f);
        Assert.Equal(0.6f, box.BottomRightScore, 1e-5f);
        Assert.Equal(1, box.Class);
    }

    [Fact]
    public void Two_objects_pair_only_within_their_class_best_first()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 0, x: 1, y: 1, score: 0.9f, tag: 0f)
            .BottomRight(0, cls: 0, x: 5, y: 4, score: 0.7f, tag: 0.1f)
            .TopLeft(0, cls: 2, x: 6, y: 2, score: 0.5f, tag: 2f)
            .BottomRight(0, cls: 2, x: 10, y: 7, score: 0.3f, tag: 2.2f);

        var boxes = Decode(builder, new DetectorOptions { TopK = 2, NumDets = 4 });

        Assert.Equal([1f, 1f, 5f, 4f, 0.8f], BoxAndScore(boxes[0]), new ToleranceComparer(1e-5f));
        Assert.Equal(0, boxes[0].Class);
        Assert.Equal([6f, 2f, 10f, 7f, 0.4f], BoxAndScore(boxes[1]), new ToleranceComparer(1e-5f));
        Assert.Equal(2, boxes[1].Class);
        Assert.Equal(-1f, boxes[2].Score);
        Assert.Equal(-1f, boxes[3].Score);
    }

    [Fact]
    public void Rejects_corners_of_different_classes()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 3, score: 0.8f)
            .BottomRight(0, cls: 2, x: 9, y: 6, score: 0.6f);
        Assert.Equal(-1f, Decode(builder, OnePair)[0].Score);
    }

    [Theory]
    [InlineData(0.6f, true)]
    [InlineData(0.5f, false)] // the rule is "greater than", so exactly the threshold pairs
    public void Rejects_corners_whose_tags_are_farther_than_the_threshold(float tagDistance, bool rejected)
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 3, score: 0.8f, tag: 1f)
            .BottomRight(0, cls: 1, x: 9, y: 6, score: 0.6f, tag: 1f + tagDistance);
        float score = Decode(builder, OnePair)[0].Score;
        Assert.Equal(rejected, score == -1f);
    }

    [Fact]
    public void Rejects_bottom_right_left_of_top_left_after_offsets()
    {
        // Same column, but the top-left offset pushes it past the bottom-right corner.
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 5, y: 3, score: 0.8f, dx: 0.5f)
            .BottomRight(0, cls: 1, x: 5, y: 6, score: 0.6f, dx: 0.25f);
        Assert.Equal(-1f, Decode(builder, OnePair)[0].Score);
    }

    [Fact]
    public void Rejects_bottom_right_above_top_left()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 5, score: 0.8f)
            .BottomRight(0, cls: 1, x: 9, y: 4, score: 0.6f);
        Assert.Equal(-1f, Decode(builder, OnePair)[0].Score);
    }

    [Fact]
    public void Zero_width_box_is_kept()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 5, y: 3, score: 0.8f)
            .BottomRight(0, cls: 1, x: 5, y: 6, score: 0.6f);
        Assert.Equal(0.7f, Decode(builder, OnePair)[0].Score, 1e-5f);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(1, true)]
    public void Max_pool_kernel_suppresses_a_weaker_neighbour(int kernel, bool neighbourSurvives)
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 0, x: 5, y: 5, score: 0.9f)
            .TopLeft(0, cls: 0, x: 6, y: 5, score: 0.7f)
            .BottomRight(0, cls: 0, x: 9, y: 7, score: 0.6f);

        var boxes = Decode(builder, new DetectorOptions { TopK = 2, NumDets = 4, NmsKernel = kernel });

        bool found = boxes.Any(b => b.X1 == 6f && Math.Abs(b.Score - 0.65f) < 1e-5f);
        Assert.Equal(neighbourSurvives, found);
        Assert.Equal(0.75f, boxes[0].Score, 1e-5f);
    }

    [Fact]
    public void Decodes_every_batch_element_independently()
    {
        var builder = new HeadsBuilder(2, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 3, score: 0.8f).BottomRight(0, cls: 1, x: 9, y: 6, score: 0.6f)
            .TopLeft(1, cls: 0, x: 1, y: 1, score: 0.5f).BottomRight(1, cls: 0, x: 3, y: 2, score: 0.5f);

        var boxes = Decode(builder, OnePair);

        Assert.Equal(2, boxes.Length);
        Assert.Equal((2f, 3f, 9f, 6f), (boxes[0].X1, boxes[0].Y1, boxes[0].X2, boxes[0].Y2));
        Assert.Equal((1f, 1f, 3f, 2f), (boxes[1].X1, boxes[1].Y1, boxes[1].X2, boxes[1].Y2));
        Assert.Equal(0, boxes[1].Class);
    }

    private static float[] BoxAndScore(CornerDetection box) => [box.X1, box.Y1, box.X2, box.Y2, box.Score];

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
