using System.Text.Json;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using TorchSharp;
using Xunit.Abstractions;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// End to end against the authors' own test pipeline run on the fixture network (tests/fixtures/pipeline).
/// We compare with their "intended" detections (soft-NMS stale rows removed, as we do) and, for the merge case,
/// with the variant whose merge weights travel with their box (as ours do); see the fixture README.
/// </summary>
public sealed class AuthorsPipelineTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("pipeline", "reference.json"))).RootElement);

    private static readonly Lazy<(CornerNetNetwork Network, ArchitectureSpec Spec)> Fixture = new(() =>
    {
        var spec = ArchitectureSpec.Load(RepositoryPaths.Fixture(Reference.Value.GetProperty("arch").GetString()!));
        var network = new CornerNetNetwork(spec);
        var weights = PyTorchCheckpointReader.Read(RepositoryPaths.Fixture(Reference.Value.GetProperty("weights").GetString()!));
        ModelWeights.Load(network, weights);
        // As the service runs it: BatchNorm folded, channels-last (exact, so the authors' numbers still hold).
        network.PrepareForInference(InferenceTuning.Default);
        return (network, spec);
    });

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Reference.Value.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    private static JsonElement Case(string name) =>
        Reference.Value.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static DetectorOptions OptionsOf(JsonElement c) => new()
    {
        TestScales = c.GetProperty("scales").EnumerateArray().Select(s => s.GetDouble()).ToArray(),
        Flip = c.GetProperty("flip").GetBoolean(),
        NmsKind = c.GetProperty("nms").GetString() switch
        {
            "exp_soft_nms" => NmsKind.Gaussian,
            "linear_soft_nms" => NmsKind.Linear,
            "nms" => NmsKind.Hard,
            var other => throw new InvalidDataException(other),
        },
        NmsThreshold = c.GetProperty("nmsThreshold").GetSingle(),
        Sigma = c.GetProperty("sigma").GetSingle(),
        MergeBoxes = c.GetProperty("mergeBoxes").GetBoolean(),
        WeightExp = c.GetProperty("weightExp").GetSingle(),
        MaxPerImage = c.GetProperty("maxPerImage").GetInt32(),
        TopK = c.GetProperty("topK").GetInt32(),
        AeThreshold = c.GetProperty("aeThreshold").GetSingle(),
        NmsKernel = c.GetProperty("nmsKernel").GetInt32(),
        NumDets = c.GetProperty("numDets").GetInt32(),
        ScoreFloor = c.GetProperty("discardThreshold").GetSingle(),
        MaxLongestSide = null,
    };

    private static DecodedImage Image(JsonElement c, ArchitectureSpec spec) =>
        new ImageLoader().Load(File.ReadAllBytes(RepositoryPaths.Fixture(c.GetProperty("image").GetString()!)), spec.IsBgr);

    private static bool Same(Detection ours, JsonElement theirs)
    {
        var box = theirs.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return ours.ClassIndex == theirs.GetProperty("classIndex").GetInt32()
               && Math.Abs(ours.Score - theirs.GetProperty("score").GetSingle()) <= 1e-3f
               && ours.Box.Zip(box).All(p => Math.Abs(p.First - p.Second) <= 0.05f);
    }

    /// <summary>Precondition of the end-to-end checks: the loaded fixture network gives the authors' heads.</summary>
    [Fact]
    public void Fixture_network_reproduces_the_authors_heads()
    {
        var (network, _) = Fixture.Value;
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        var heads = network.forward(NpyFile.ReadFloat32(RepositoryPaths.Fixture("network", "expected", "input.npy")));
        var expected = new[] { "tl_heat", "br_heat", "tl_tag", "br_tag", "tl_regr", "br_regr" }
            .Select(n => NpyFile.ReadFloat32(RepositoryPaths.Fixture("network", "expected", $"stack1_{n}.npy"))).ToArray();
        foreach (var (ours, theirs) in heads.All.Zip(expected))
        {
            double worst = (ours - theirs).abs().max().item<float>();
            output.WriteLine($"[{string.Join(",", ours.shape)}] vs [{string.Join(",", theirs.shape)}]: max |diff| {worst:G3}");
            Assert.True(worst < 1e-3, $"max |diff| {worst}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Detections_match_the_authors(string name)
    {
        var c = Case(name);
        var (network, spec) = Fixture.Value;
        var detector = new CornerNetDetector(network, spec, OptionsOf(c));
        var ours = detector.Detect(Image(c, spec));
        var theirs = c.GetProperty(c.TryGetProperty("detectionsIntendedBoxWeights", out _) ? "detectionsIntendedBoxWeights" : "detectionsIntended")
            .EnumerateArray().ToArray();

        var confident = theirs.Where(t => t.GetProperty("score").GetSingle() >= 0.05f).ToArray();
        int matched = confident.Count(t => ours.Any(o => Same(o, t)));
        output.WriteLine($"{name}: ours {ours.Count}, theirs {theirs.Length}, confident {confident.Length}, matched {matched}");
        Assert.NotEmpty(confident);
        Assert.True(matched >= 0.98 * confident.Length, $"{name}: matched {matched} of {confident.Length}");

        int best = Math.Min(10, theirs.Length);
        Assert.True(ours.Count >= best);
        for (int i = 0; i < best; i++)
        {
            Assert.True(Same(ours[i], theirs[i]), $"{name}: rank {i}: ours {ours[i]}, theirs {theirs[i]}");
        }
    }

    /// <summary>
    /// Everything after the network and decoder (un-mirroring, rescaling, pooling scales, soft-NMS, the per-image
    /// cap) fed with the authors' own decoder output: independent of the network port.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Post_processing_of_the_authors_decode_matches_their_detections(string name)
    {
        var c = Case(name);
        var (_, spec) = (Fixture.Value.Network, ArchitectureSpec.Load(RepositoryPaths.Fixture(Reference.Value.GetProperty("arch").GetString()!)));
        var options = OptionsOf(c);
        var image = Image(c, spec);
        var decoded = c.GetProperty("rawDets").EnumerateArray().Select((p, s) =>
        {
            using var t = NpyFile.ReadFloat32(RepositoryPaths.Fixture(p.GetString()!));
            return (CanvasGeometry.For(image.Height, image.Width, options.TestScales[s]), CornerDetection.FromAuthorsRows(t.data<float>().ToArray()));
        }).ToArray();
        var detector = new CornerNetDetector(new TinyCornerNetwork(spec.ClassCount), spec, options);

        var ours = detector.DetectFromDecoded(decoded);

        var theirs = c.GetProperty(c.TryGetProperty("detectionsIntendedBoxWeights", out _) ? "detectionsIntendedBoxWeights" : "detectionsIntended")
            .EnumerateArray().ToArray();
        var confident = theirs.Where(t => t.GetProperty("score").GetSingle() >= 0.05f).ToArray();
        int matched = confident.Count(t => ours.Any(o => Same(o, t)));
        int matchedAll = theirs.Count(t => ours.Any(o => Same(o, t)));
        output.WriteLine($"{name}: ours {ours.Count}, theirs {theirs.Length}, confident {confident.Length} matched {matched}, all matched {matchedAll}");
        Assert.True(matched >= 0.98 * confident.Length, $"{name}: matched {matched} of {confident.Length}");
        for (int i = 0; i < Math.Min(10, theirs.Length); i++)
        {
            Assert.True(Same(ours[i], theirs[i]), $"{name}: rank {i}: ours {ours[i]}, theirs {theirs[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decoder_matches_the_authors_decode_on_every_scale(string name)
    {
        var c = Case(name);
        var (network, spec) = Fixture.Value;
        var options = OptionsOf(c);
        var image = Image(c, spec);
        var rawPaths = c.GetProperty("rawDets").EnumerateArray().Select(p => p.GetString()!).ToArray();
        for (int s = 0; s < options.TestScales.Count; s++)
        {
            CornerDetection[] ours;
            using (torch.NewDisposeScope())
            using (torch.inference_mode())
            {
                var g = CanvasGeometry.For(image.Height, image.Width, options.TestScales[s]);
                var input = new float[2 * 3 * g.CanvasHeight * g.CanvasWidth];
                int half = input.Length / 2;
                ImagePreprocessor.Fill(image, g, spec.Mean, spec.Std, input.AsSpan(0, half), input.AsSpan(half));
                var heads = network.forward(torch.tensor(input, [2, 3, g.CanvasHeight, g.CanvasWidth]));
                ours = CornerDecoder.Decode(heads, options);
            }

            CornerDetection[] theirs;
            using (var t = NpyFile.ReadFloat32(RepositoryPaths.Fixture(rawPaths[s]))) theirs = CornerDetection.FromAuthorsRows(t.data<float>().ToArray());
            Assert.Equal(theirs.Length, ours.Length);

            // Every valid pair of theirs scoring >= 0.01 appears in ours (order may differ only among equal scores).
            var ourBoxes = ours.Where(o => o.Score > -1).ToArray();
            int checkedRows = 0, missing = 0;
            foreach (var box in theirs)
            {
                if (box.Score < 0.01f) continue;
                checkedRows++;
                if (!ourBoxes.Any(o => o.Class == box.Class && Close(o, box, 1e-3f))) missing++;
            }

            output.WriteLine($"{name} scale {options.TestScales[s]}: {checkedRows} rows checked, {missing} missing");
            Assert.True(checkedRows > 0);
            Assert.True(missing <= checkedRows / 100, $"{name} scale {s}: {missing} of {checkedRows} decoded rows differ");
        }
    }

    private static bool Close(CornerDetection a, CornerDetection b, float tolerance) =>
        new[]
        {
            (a.X1, b.X1), (a.Y1, b.Y1), (a.X2, b.X2), (a.Y2, b.Y2),
            (a.Score, b.Score), (a.TopLeftScore, b.TopLeftScore), (a.BottomRightScore, b.BottomRightScore),
        }.All(p => Math.Abs(p.Item1 - p.Item2) <= tolerance);

    [Theory]
    [InlineData("pipeline/raw/strip_exp_scale0_input.npy", "strip_exp", 0, 1e-6)]
    [InlineData("pipeline/raw/strip_multiscale_merge_scale0_input.npy", "strip_multiscale_merge", 0, 0.015)] // cv2.resize: at most 1 grey level
    public void Preprocessed_input_matches_the_authors(string inputPath, string name, int scaleIndex, double tolerance)
    {
        var c = Case(name);
        var (_, spec) = Fixture.Value;
        var options = OptionsOf(c);
        var image = Image(c, spec);
        var g = CanvasGeometry.For(image.Height, image.Width, options.TestScales[scaleIndex]);
        var ours = new float[2 * 3 * g.CanvasHeight * g.CanvasWidth];
        int half = ours.Length / 2;
        ImagePreprocessor.Fill(image, g, spec.Mean, spec.Std, ours.AsSpan(0, half), ours.AsSpan(half));

        float[] theirs;
        using (var t = NpyFile.ReadFloat32(RepositoryPaths.Fixture(inputPath))) theirs = t.data<float>().ToArray();
        Assert.Equal(theirs.Length, ours.Length);
        double worst = ours.Zip(theirs).Max(p => Math.Abs(p.First - p.Second));
        int differing = ours.Zip(theirs).Count(p => p.First != p.Second);
        output.WriteLine($"{name}: max |diff| {worst:G3}, {differing} of {ours.Length} values differ");
        Assert.True(worst <= tolerance, $"max |diff| {worst}");
    }
}
