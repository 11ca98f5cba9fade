using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Data;
using CornerNet.Model.Inference;
using SixLabors.ImageSharp.Formats.Png;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// The demo model's detections on held-out synthetic images under each <see cref="InferenceTuning"/>, against the
/// network as trained: the exact settings give the same detections; bf16 keeps nearly all of them.
/// </summary>
public sealed class InferenceTuningDetectionTests
{
    private static readonly string Weights = Path.Combine(RepositoryPaths.Root, "models", "demo.pth");

    [Fact]
    public void Folded_channels_last_fp32_gives_the_as_trained_detections()
    {
        var images = HeldOutImages(6);
        var expected = Detect(InferenceTuning.AsTrained, images, scoreFloor: 0.05f);
        var actual = Detect(InferenceTuning.Default, images, scoreFloor: 0.0f);

        var (matched, total) = Matched(expected, actual, pixels: 0.05f, score: 1e-3f);
        Assert.True(total > 20, $"only {total} reference detections");
        Assert.True(matched >= 0.98 * total, $"{matched} of {total} detections matched within 0.05 px and 1e-3");
    }

    [Fact]
    public void Bf16_keeps_at_least_95_percent_of_the_fp32_detections()
    {
        var images = HeldOutImages(6);
        var expected = Detect(InferenceTuning.Default, images, scoreFloor: 0.3f);
        var actual = Detect(new InferenceTuning { Precision = InferencePrecision.Bf16 }, images, scoreFloor: 0.0f);

        var (matched, total) = Matched(expected, actual, pixels: 2f, score: 0.02f);
        Assert.True(total > 10, $"only {total} reference detections");
        Assert.True(matched >= 0.95 * total, $"{matched} of {total} detections matched within 2 px and 0.02");
        // Not trivially equal: bf16 really ran.
        Assert.False(Matched(expected, actual, pixels: 1e-4f, score: 1e-6f).Matched == total, "bf16 detections are bit-identical to fp32");
    }

    /// <summary>Images of a seed neither the demo model's training nor its evaluation set used.</summary>
    private static DecodedImage[] HeldOutImages(int count)
    {
        var generator = new SyntheticShapesGenerator(new SyntheticShapesOptions { Seed = 91, MinImageSize = 160, MaxImageSize = 256 });
        var loader = new ImageLoader();
        return Enumerable.Range(0, count).Select(index =>
        {
            using var scene = generator.Render(index);
            using var png = new MemoryStream();
            scene.Image.Save(png, new PngEncoder());
            return loader.Load(png.ToArray(), bgr: true);
        }).ToArray();
    }

    private static List<Detection>[] Detect(InferenceTuning tuning, DecodedImage[] images, float scoreFloor)
    {
        using var network = ModelCheckpoint.Load(Weights);
        network.PrepareForInference(tuning);
        var detector = new CornerNetDetector(network, network.Spec);
        return images.Select(image => detector.Detect(image).Where(d => d.Score >= scoreFloor).ToList()).ToArray();
    }

    /// <summary>How many expected detections have an actual one of the same class with every coordinate within
    /// <paramref name="pixels"/> and the score within <paramref name="score"/>.</summary>
    private static (int Matched, int Total) Matched(List<Detection>[] expected, List<Detection>[] actual, float pixels, float score)
    {
        int matched = 0, total = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            foreach (var e in expected[i])
            {
                total++;
                if (actual[i].Any(a => a.ClassIndex == e.ClassIndex && Math.Abs(a.Score - e.Score) <= score
                                       && e.Box.Zip(a.Box).All(p => Math.Abs(p.First - p.Second) <= pixels)))
                {
                    matched++;
                }
            }
        }

        return (matched, total);
    }
}
