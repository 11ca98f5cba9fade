using System.Text.Json;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using Xunit.Abstractions;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// The whole test pipeline of a squeeze model against the authors' CornerNet-Lite cornernet_inference with
/// CornerNet_Squeeze's test settings, on the tiny squeeze network their classes built and trained
/// (tests/fixtures/squeeze/reference.json), in both checkpoint formats, with the settings the model brings.
/// </summary>
public sealed class SqueezePipelineTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("squeeze", "reference.json"))).RootElement);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var weights in Reference.Value.GetProperty("weights").EnumerateArray())
        {
            foreach (var c in Reference.Value.GetProperty("cases").EnumerateArray())
            {
                data.Add(weights.GetString()!, c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    internal static bool Same(Detection ours, JsonElement theirs)
    {
        var box = theirs.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return ours.ClassIndex == theirs.GetProperty("classIndex").GetInt32()
               && Math.Abs(ours.Score - theirs.GetProperty("score").GetSingle()) <= 1e-3f
               && ours.Box.Zip(box).All(p => Math.Abs(p.First - p.Second) <= 0.05f);
    }

    /// <summary>Checks ours against the authors' intended detections (stale soft-NMS rows dropped, as in
    /// ../pipeline/README.md): every one scoring at least 0.05 is found, the ten best in the same order.</summary>
    internal static void AssertSameDetections(IReadOnlyList<Detection> ours, JsonElement theirsCase, ITestOutputHelper output, string label)
    {
        var theirs = theirsCase.GetProperty("detectionsIntended").EnumerateArray().ToArray();
        var confident = theirs.Where(t => t.GetProperty("score").GetSingle() >= 0.05f).ToArray();
        int matched = confident.Count(t => ours.Any(o => Same(o, t)));
        output.WriteLine($"{label}: ours {ours.Count}, theirs {theirs.Length}, confident {confident.Length}, matched {matched}; best {(ours.Count > 0 ? ours[0] : null)}");
        Assert.NotEmpty(confident);
        Assert.Equal(confident.Length, matched);
        int best = Math.Min(10, theirs.Length);
        Assert.True(ours.Count >= best, $"{label}: {ours.Count} detections");
        for (int i = 0; i < best; i++)
        {
            Assert.True(Same(ours[i], theirs[i]), $"{label}: rank {i}: ours {ours[i]}, theirs {theirs[i]}");
        }
    }

    [Fact]
    public void The_squeeze_family_brings_the_authors_test_settings()
    {
        var spec = ArchitectureSpec.Load(RepositoryPaths.Fixture(Reference.Value.GetProperty("arch").GetString()!));
        var options = DetectorOptions.ForModel(spec);
        var settings = Reference.Value.GetProperty("settings");
        Assert.Equal(settings.GetProperty("top_k").GetInt32(), options.TopK);
        Assert.Equal(settings.GetProperty("num_dets").GetInt32(), options.NumDets);
        Assert.Equal(settings.GetProperty("ae_threshold").GetSingle(), options.AeThreshold);
        Assert.Equal(settings.GetProperty("nms_kernel").GetInt32(), options.NmsKernel);
        Assert.Equal(settings.GetProperty("nms_threshold").GetSingle(), options.NmsThreshold);
        Assert.Equal("exp_soft_nms", settings.GetProperty("nms_algorithm").GetString());
        Assert.Equal(NmsKind.Gaussian, options.NmsKind);
        Assert.Equal(settings.GetProperty("max_per_image").GetInt32(), options.MaxPerImage);
        Assert.Equal(settings.GetProperty("test_flipped").GetBoolean(), options.Flip);
        Assert.Equal(settings.GetProperty("merge_bbox").GetBoolean(), options.MergeBoxes);
        Assert.Equal(settings.GetProperty("test_scales").EnumerateArray().Select(s => s.GetDouble()), options.TestScales);
        Assert.True(options.NormalizeInFloat32);

        // Hourglass keeps CornerNet's; the architecture file's test section wins over the family's.
        var hourglass = ArchitectureSpec.Load(RepositoryPaths.Fixture("network", "fixture_arch.json"));
        var cornernet = DetectorOptions.ForModel(hourglass);
        Assert.Equal((100, 1000, true, false), (cornernet.TopK, cornernet.NumDets, cornernet.Flip, cornernet.NormalizeInFloat32));
        var tuned = DetectorOptions.ForModel(spec with { Test = new TestSettings { TopK = 50, Flip = true, Normalization = "float64" } });
        Assert.Equal((50, true, false, 100), (tuned.TopK, tuned.Flip, tuned.NormalizeInFloat32, tuned.NumDets));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Detections_equal_the_authors_cornernet_inference(string weights, string name)
    {
        var c = Reference.Value.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var spec = ArchitectureSpec.Load(RepositoryPaths.Fixture(Reference.Value.GetProperty("arch").GetString()!));
        using var network = ModelCheckpoint.Load(spec, RepositoryPaths.Fixture(weights));
        network.PrepareForInference(InferenceTuning.Default);
        var detector = new CornerNetDetector(network, spec);
        var image = new ImageLoader().Load(File.ReadAllBytes(RepositoryPaths.Fixture(c.GetProperty("image").GetString()!)), spec.IsBgr);

        var ours = detector.Detect(image);

        AssertSameDetections(ours, c, output, $"{weights} {name}");
        // Clear detections: the fixture's heads were calibrated so that the best ones score well above 0.5.
        Assert.True(ours[0].Score > 0.5f, $"{name}: best score {ours[0].Score}");
    }
}
