using CornerNet.Model.Training;

namespace CornerNet.Model.Tests.Training;

public class CornerTargetBuilderTests
{
    private static readonly CornerTargetBuilder Builder = new(classCount: 3, inputHeight: 127, inputWidth: 127, outputHeight: 32, outputWidth: 32);

    [Fact]
    public void Known_box_gives_the_authors_indices_offsets_mask_and_gaussians()
    {
        var targets = Builder.Build([new TrainingBox(10.5f, 20.25f, 90f, 100f, 1)]);

        // Scaled corners: (10.5, 20.25) * 32/127 = (2.6457, 5.1024); (90, 100) * 32/127 = (22.677, 25.197).
        Assert.Equal(1, targets.ObjectCount);
        Assert.Equal(5 * 32 + 2, targets.TopLeftIndices[0]);
        Assert.Equal(25 * 32 + 22, targets.BottomRightIndices[0]);
        Assert.Equal(10.5 * 32 / 127 - 2, targets.TopLeftOffsets[0], 5);
        Assert.Equal(20.25 * 32 / 127 - 5, targets.TopLeftOffsets[1], 5);
        Assert.Equal(90.0 * 32 / 127 - 22, targets.BottomRightOffsets[0], 5);
        Assert.Equal(100.0 * 32 / 127 - 25, targets.BottomRightOffsets[1], 5);
        Assert.True(targets.Mask[0]);
        Assert.All(targets.Mask.Skip(1), m => Assert.False(m));
        Assert.Equal(128, targets.Mask.Length);

        // Radius from ceil(79.5 * 32/127) = 21 by ceil(79.75 * 32/127) = 21: int(4.7489) = 4.
        var radius = GaussianRadius.ComputeInteger(21, 21);
        Assert.Equal(4, radius);
        var topLeft = targets.TopLeftPlane(1);
        Assert.Equal(1f, topLeft[5 * 32 + 2]);
        Assert.Equal((float)GaussianSplat.Value(radius, 0, radius), topLeft[5 * 32 + 2 + radius]);
        Assert.Equal(0f, topLeft[5 * 32 + 2 + radius + 1]);
        Assert.Equal(1f, targets.BottomRightPlane(1)[25 * 32 + 22]);
        Assert.Equal(1, targets.TopLeftHeat.Count(v => v == 1f));
        Assert.All(targets.TopLeftPlane(0).ToArray().Concat(targets.TopLeftPlane(2).ToArray()), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Boxes_are_clipped_to_the_image_and_empty_ones_dropped()
    {
        var targets = Builder.Build(
        [
            new TrainingBox(-20, -5, 200, 60, 0), // clipped to (0, 0, 126, 60)
            new TrainingBox(130, 10, 150, 40, 0), // entirely right of the image: zero width after clipping
            new TrainingBox(40, 40, 40, 80, 2), // no width
        ]);

        Assert.Equal(1, targets.ObjectCount);
        Assert.Equal(0, targets.TopLeftIndices[0]);
        Assert.Equal((long)(60 * 32 / 127.0) * 32 + (long)(126 * 32 / 127.0), targets.BottomRightIndices[0]);
        Assert.All(targets.TopLeftPlane(2).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Objects_beyond_the_slots_still_shape_the_heatmaps()
    {
        var builder = new CornerTargetBuilder(1, 127, 127, 32, 32, new CornerTargetOptions { MaxObjects = 2 });
        var boxes = Enumerable.Range(0, 3).Select(i => new TrainingBox(10 + 30 * i, 10, 30 + 30 * i, 60, 0)).ToList();
        var targets = builder.Build(boxes);

        Assert.Equal(2, targets.ObjectCount);
        Assert.Equal(3, targets.DrawnCount);
        Assert.Equal(3, targets.TopLeftHeat.Count(v => v == 1f));
        Assert.Equal(2, targets.Mask.Length);
    }

    [Fact]
    public void Unknown_class_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Builder.Build([new TrainingBox(1, 1, 20, 20, 3)]));
    }

    [Fact]
    public void Batch_stacks_into_the_authors_shapes()
    {
        using var targets = Builder.BuildBatch([[new TrainingBox(10, 10, 50, 50, 0)], []]);

        Assert.Equal(new long[] { 2, 3, 32, 32 }, targets.TopLeftHeat.shape);
        Assert.Equal(new long[] { 2, 3, 32, 32 }, targets.BottomRightHeat.shape);
        Assert.Equal(new long[] { 2, 128 }, targets.TopLeftIndices.shape);
        Assert.Equal(new long[] { 2, 128 }, targets.BottomRightIndices.shape);
        Assert.Equal(new long[] { 2, 128, 2 }, targets.TopLeftOffsets.shape);
        Assert.Equal(new long[] { 2, 128, 2 }, targets.BottomRightOffsets.shape);
        Assert.Equal(new long[] { 2, 128 }, targets.Mask.shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, targets.TopLeftIndices.dtype);
        Assert.Equal(TorchSharp.torch.ScalarType.Bool, targets.Mask.dtype);
        Assert.Equal(1, targets.Mask.sum().item<long>());
        Assert.Equal(0f, targets.TopLeftHeat[1].sum().item<float>());
        Assert.Equal(1f, targets.TopLeftHeat[0, 0].max().item<float>());
    }
}
