using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;
using TorchSharp;

namespace CornerNet.Model.Tests.Inference;

public sealed class CornerDecoderTests
{
    private const int Classes = 3, Height = 8, Width = 12;

    private static float[] Decode(HeadsBuilder builder, DetectorOptions options)
    {
        using var scope = torch.NewDisposeScope();
        using CornerHeads heads = builder.Build();
        return CornerDecoder.Decode(heads, options);
    }

    private static float[] Row(float[] rows, int index) => rows.AsSpan(index * CornerDecoder.RowLength, CornerDecoder.RowLength).ToArray();

    private static readonly DetectorOptions OnePair = new() { TopK = 1, NumDets = 1 };

    [Fact]
    public void KnownCornersDecodeToTheKnownBox()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 3, score: 0.8f, tag: 1.0f, dx: 0.25f, dy: 0.5f)
            .BottomRight(0, cls: 1, x: 9, y: 6, score: 0.6f, tag: 1.3f, dx: 0.75f, dy: 0.125f);

        var row = Row(Decode(builder, OnePair), 0);

        Assert.Equal([2.25f, 3.5f, 9.75f, 6.125f], row[..4]);
        Assert.Equal(0.7f, row[4], 1e-5f);
        Assert.Equal(0.8f, row[5], 1e-5f);
        Assert.Equal(0.6f, row[6], 1e-5f);
        Assert.Equal(1f, row[7]);
    }

    [Fact]
    public void TwoObjectsPairOnlyWithinTheirClassBestFirst()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 0, x: 1, y: 1, score: 0.9f, tag: 0f)
            .BottomRight(0, cls: 0, x: 5, y: 4, score: 0.7f, tag: 0.1f)
            .TopLeft(0, cls: 2, x: 6, y: 2, score: 0.5f, tag: 2f)
            .BottomRight(0, cls: 2, x: 10, y: 7, score: 0.3f, tag: 2.2f);

        var rows = Decode(builder, new DetectorOptions { TopK = 2, NumDets = 4 });

        Assert.Equal([1f, 1f, 5f, 4f, 0.8f], Row(rows, 0)[..5], new ToleranceComparer(1e-5f));
        Assert.Equal(0f, Row(rows, 0)[7]);
        Assert.Equal([6f, 2f, 10f, 7f, 0.4f], Row(rows, 1)[..5], new ToleranceComparer(1e-5f));
        Assert.Equal(2f, Row(rows, 1)[7]);
        Assert.Equal(-1f, Row(rows, 2)[4]);
        Assert.Equal(-1f, Row(rows, 3)[4]);
    }

    [Fact]
    public void RejectsCornersOfDifferentClasses()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 3, score: 0.8f)
            .BottomRight(0, cls: 2, x: 9, y: 6, score: 0.6f);
        Assert.Equal(-1f, Row(Decode(builder, OnePair), 0)[4]);
    }

    [Theory]
    [InlineData(0.6f, true)]
    [InlineData(0.5f, false)] // the rule is "greater than", so exactly the threshold pairs
    public void RejectsCornersWhoseTagsAreFartherThanTheThreshold(float tagDistance, bool rejected)
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 3, score: 0.8f, tag: 1f)
            .BottomRight(0, cls: 1, x: 9, y: 6, score: 0.6f, tag: 1f + tagDistance);
        float score = Row(Decode(builder, OnePair), 0)[4];
        Assert.Equal(rejected, score == -1f);
    }

    [Fact]
    public void RejectsBottomRightLeftOfTopLeftAfterOffsets()
    {
        // Same column, but the top-left offset pushes it past the bottom-right corner.
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 5, y: 3, score: 0.8f, dx: 0.5f)
            .BottomRight(0, cls: 1, x: 5, y: 6, score: 0.6f, dx: 0.25f);
        Assert.Equal(-1f, Row(Decode(builder, OnePair), 0)[4]);
    }

    [Fact]
    public void RejectsBottomRightAboveTopLeft()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 5, score: 0.8f)
            .BottomRight(0, cls: 1, x: 9, y: 4, score: 0.6f);
        Assert.Equal(-1f, Row(Decode(builder, OnePair), 0)[4]);
    }

    [Fact]
    public void ZeroWidthBoxIsKept()
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 5, y: 3, score: 0.8f)
            .BottomRight(0, cls: 1, x: 5, y: 6, score: 0.6f);
        Assert.Equal(0.7f, Row(Decode(builder, OnePair), 0)[4], 1e-5f);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(1, true)]
    public void MaxPoolKernelSuppressesAWeakerNeighbour(int kernel, bool neighbourSurvives)
    {
        var builder = new HeadsBuilder(1, Classes, Height, Width)
            .TopLeft(0, cls: 0, x: 5, y: 5, score: 0.9f)
            .TopLeft(0, cls: 0, x: 6, y: 5, score: 0.7f)
            .BottomRight(0, cls: 0, x: 9, y: 7, score: 0.6f);

        var rows = Decode(builder, new DetectorOptions { TopK = 2, NumDets = 4, NmsKernel = kernel });

        bool found = Enumerable.Range(0, 4).Select(i => Row(rows, i)).Any(r => r[0] == 6f && Math.Abs(r[4] - 0.65f) < 1e-5f);
        Assert.Equal(neighbourSurvives, found);
        Assert.Equal(0.75f, Row(rows, 0)[4], 1e-5f);
    }

    [Fact]
    public void DecodesEveryBatchElementIndependently()
    {
        var builder = new HeadsBuilder(2, Classes, Height, Width)
            .TopLeft(0, cls: 1, x: 2, y: 3, score: 0.8f).BottomRight(0, cls: 1, x: 9, y: 6, score: 0.6f)
            .TopLeft(1, cls: 0, x: 1, y: 1, score: 0.5f).BottomRight(1, cls: 0, x: 3, y: 2, score: 0.5f);

        var rows = Decode(builder, OnePair);

        Assert.Equal([2f, 3f, 9f, 6f], Row(rows, 0)[..4]);
        Assert.Equal([1f, 1f, 3f, 2f], Row(rows, 1)[..4]);
        Assert.Equal(0f, Row(rows, 1)[7]);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
