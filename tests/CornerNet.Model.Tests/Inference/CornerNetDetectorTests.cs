using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;
using TorchSharp;
using Xunit.Abstractions;

namespace CornerNet.Model.Tests.Inference;

public sealed class CornerNetDetectorTests(ITestOutputHelper output)
{
    private static readonly ArchitectureSpec Spec3 = TestImages.Spec(3);

    // One corner pair per forwarded image, so hand-placed corners are the only candidates.
    private static readonly DetectorOptions SinglePair = new() { TopK = 1, NumDets = 1, MaxLongestSide = null };

    private static Action<int, HeadsBuilder> BoxOn(int batchIndex) => (b, heads) =>
    {
        if (b == batchIndex) heads.TopLeft(b, cls: 1, x: 20, y: 8, score: 0.8f).BottomRight(b, cls: 1, x: 40, y: 20, score: 0.6f);
    };

    [Fact]
    public void Forwards_image_and_mirror_together_and_maps_the_original_half()
    {
        var network = new ScriptedCornerNetwork(3, BoxOn(0));
        var detector = new CornerNetDetector(network, Spec3, SinglePair);
        var image = TestImages.Random(width: 301, height: 97, seed: 1);

        var detection = Assert.Single(detector.Detect(image));

        Assert.Equal([2, 3, 127, 383], network.InputShapes.Single());
        Assert.Equal((1, "class1"), (detection.ClassIndex, detection.Label));
        Assert.Equal(0.7f, detection.Score, 1e-5f);
        Assert.Equal(20 * 383 / 96.0 - 41, detection.X1, 1e-3);
        Assert.Equal(8 * 127 / 32.0 - 15, detection.Y1, 1e-3);
        Assert.Equal(40 * 383 / 96.0 - 41, detection.X2, 1e-3);
        Assert.Equal(20 * 127 / 32.0 - 15, detection.Y2, 1e-3);

        // The second half of the batch is the exact mirror of the first.
        var input = network.Inputs.Single();
        int plane = 127 * 383;
        for (int row = 0; row < 3 * 127; row += 7)
        {
            var original = input.AsSpan(row * 383, 383).ToArray();
            var mirrored = input.AsSpan(3 * plane + row * 383, 383).ToArray();
            Assert.Equal(original.Reverse(), mirrored);
        }
    }

    [Fact]
    public void Unmirrors_the_mirrored_half()
    {
        var detector = new CornerNetDetector(new ScriptedCornerNetwork(3, BoxOn(1)), Spec3, SinglePair);
        var detection = Assert.Single(detector.Detect(TestImages.Random(width: 301, height: 97, seed: 1)));
        Assert.Equal((96 - 40) * 383 / 96.0 - 41, detection.X1, 1e-3);
        Assert.Equal((96 - 20) * 383 / 96.0 - 41, detection.X2, 1e-3);
        Assert.Equal(8 * 127 / 32.0 - 15, detection.Y1, 1e-3);
    }

    [Fact]
    public void Without_flip_only_the_image_is_forwarded()
    {
        var network = new ScriptedCornerNetwork(3, BoxOn(0));
        var detector = new CornerNetDetector(network, Spec3, SinglePair with { Flip = false });
        Assert.Single(detector.Detect(TestImages.Random(width: 301, height: 97, seed: 1)));
        Assert.Equal([1, 3, 127, 383], network.InputShapes.Single());
    }

    [Fact]
    public void Maps_back_from_a_non_unit_scale()
    {
        var network = new ScriptedCornerNetwork(3, BoxOn(0));
        var detector = new CornerNetDetector(network, Spec3, SinglePair with { TestScales = [0.5] });
        var detection = Assert.Single(detector.Detect(TestImages.Random(width: 301, height: 97, seed: 1)));

        Assert.Equal([2, 3, 127, 255], network.InputShapes.Single()); // resized 150x48
        Assert.Equal((20 * 255 / 64.0 - 52) / 0.5, detection.X1, 1e-3);
        Assert.Equal((40 * 255 / 64.0 - 52) / 0.5, detection.X2, 1e-3);
        Assert.Equal(0, detection.Y1);                                // clipped
        Assert.Equal(Math.Min(20 * 127 / 32.0 - 39, 48) / 0.5, detection.Y2, 1e-3);
    }

    [Fact]
    public void Pools_scales_before_NMS()
    {
        // The same grid box at two scales gives two different pixel boxes; both survive Gaussian soft-NMS with lowered score.
        var network = new ScriptedCornerNetwork(3, BoxOn(0));
        var detector = new CornerNetDetector(network, Spec3, SinglePair with { TestScales = [1.0, 0.5] });
        var detections = detector.Detect(TestImages.Random(width: 301, height: 97, seed: 1));
        Assert.Equal(2, network.InputShapes.Count);
        Assert.Equal(2, detections.Count);
        Assert.Equal(0.7f, detections[0].Score, 1e-5f);
        Assert.True(detections[1].Score < 0.7f);
    }

    [Fact]
    public void Caps_the_longest_side_and_returns_boxes_in_original_pixels()
    {
        var network = new ScriptedCornerNetwork(3, BoxOn(0));
        var detector = new CornerNetDetector(network, Spec3, SinglePair with { MaxLongestSide = 300 });
        var detection = Assert.Single(detector.Detect(TestImages.Random(width: 600, height: 300, seed: 2)));

        // Works on 300x150: canvas 255x383, grid 64x96, border (52, 41); then ×2 back to the original.
        Assert.Equal([2, 3, 255, 383], network.InputShapes.Single());
        Assert.Equal((20 * 383 / 96.0 - 41) * 2, detection.X1, 1e-3);
        Assert.Equal((40 * 383 / 96.0 - 41) * 2, detection.X2, 1e-3);
        Assert.Equal(0, detection.Y1);
        Assert.Equal((20 * 255 / 64.0 - 52) * 2, detection.Y2, 1e-3);
    }

    [Fact]
    public void Batch_results_equal_single_image_results()
    {
        var detector = new CornerNetDetector(new TinyCornerNetwork(3), Spec3, new DetectorOptions { MaxBatchImages = 3 });
        DecodedImage[] images =
        [
            TestImages.Random(100, 80, seed: 1),  // canvas 127x127
            TestImages.Random(300, 200, seed: 2), // canvas 255x383
            TestImages.Random(90, 70, seed: 3),   // canvas 127x127: batched with the first
            TestImages.Random(120, 101, seed: 4), // canvas 127x127
            TestImages.Random(70, 60, seed: 5),   // canvas 127x127: a second batch of that size
        ];

        var batched = detector.Detect(images);

        for (int i = 0; i < images.Length; i++)
        {
            var single = detector.Detect(images[i]);
            Assert.True(single.Count >= 5, $"image {i}: only {single.Count} detections");
            Assert.Equal(single.Count, batched.Images[i].Count);
            foreach (var (a, b) in single.Zip(batched.Images[i]))
            {
                Assert.Equal(a.ClassIndex, b.ClassIndex);
                Assert.Equal(a.Score, b.Score, 1e-4f);
                Assert.Equal(a.Box, b.Box, (x, y) => Math.Abs(x - y) < 1e-2);
            }
        }

        output.WriteLine($"batch of 5: {batched.Timings}");
    }

    [Fact]
    public void Releases_every_tensor_it_creates()
    {
        var detector = new CornerNetDetector(new TinyCornerNetwork(3), Spec3);
        var images = new[] { TestImages.Random(60, 50, seed: 1), TestImages.Random(150, 40, seed: 2) };
        for (int i = 0; i < 5; i++) detector.Detect(images);

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 200; i++) detector.Detect(images);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.Equal(before, after);
    }

    [Fact]
    public void Refuses_heads_of_the_wrong_shape()
    {
        var detector = new CornerNetDetector(new TinyCornerNetwork(4), Spec3);
        Assert.Throws<InvalidOperationException>(() => detector.Detect(TestImages.Random(60, 50, seed: 1)));
    }

    [Fact]
    public void Max_per_image_keeps_the_best_boxes()
    {
        var detector = new CornerNetDetector(new TinyCornerNetwork(3), Spec3, new DetectorOptions { MaxPerImage = 7 });
        var all = new CornerNetDetector(new TinyCornerNetwork(3), Spec3, new DetectorOptions { MaxPerImage = 10_000 });
        var image = TestImages.Random(200, 150, seed: 9);

        var capped = detector.Detect(image);
        var uncapped = all.Detect(image);

        Assert.Equal(7, capped.Count);
        Assert.True(uncapped.Count > 7);
        Assert.Equal(uncapped.Take(7).Select(d => d.Score), capped.Select(d => d.Score));
        Assert.True(capped.Zip(capped.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }
}
