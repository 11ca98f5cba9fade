using System.Text.Json;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using CornerNet.Model.Inference.Saccade;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// Each step of CornerNet-Saccade's test procedure against what the authors' own functions (core/test/cornernet_saccade.py)
/// computed for the same inputs while their cornernet_saccade_inference ran the tiny saccade network on the PNG images
/// (tests/fixtures/saccade/reference.json and steps/), then the whole procedure through <see cref="SaccadeDetector"/>.
/// </summary>
public sealed class SaccadeProcedureTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("saccade", "reference.json"))).RootElement);

    private static readonly Lazy<CornerNetNetwork> Network = new(() =>
    {
        var network = ModelCheckpoint.Load(Spec(), RepositoryPaths.Fixture("saccade", "tiny_zip.pth"));
        network.eval();
        return network;
    });

    private static ArchitectureSpec Spec() => ArchitectureSpec.Load(RepositoryPaths.Fixture("saccade", "tiny_arch.json"));

    public static TheoryData<string> Names() => [.. Cases().Select(c => c.GetProperty("name").GetString()!)];

    public static TheoryData<string, string> WeightsAndNames()
    {
        var data = new TheoryData<string, string>();
        foreach (var weights in Reference.Value.GetProperty("weights").EnumerateArray())
        {
            foreach (var name in Cases().Select(c => c.GetProperty("name").GetString()!)) data.Add(weights.GetString()!, name);
        }

        return data;
    }

    private static IEnumerable<JsonElement> Cases() => Reference.Value.GetProperty("cases").EnumerateArray();

    private static JsonElement Case(string name) => Cases().Single(c => c.GetProperty("name").GetString() == name);

    private static DecodedImage Image(JsonElement c) =>
        new ImageLoader().Load(File.ReadAllBytes(RepositoryPaths.Fixture(c.GetProperty("image").GetString()!)), bgr: true);

    private static double[][] Rows(JsonElement array) =>
        [.. array.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray())];

    private static List<ZoomLocation> Locations(JsonElement array) =>
        [.. Rows(array).Select(r => new ZoomLocation(r[0], r[1], r[2], r.Length > 3 ? r[3] : 0))];

    private static (float Y, float X)[] Offsets(JsonElement array) => [.. Rows(array).Select(r => ((float)r[0], (float)r[1]))];

    private static CornerDetection Detection(double[] r) =>
        new((float)r[0], (float)r[1], (float)r[2], (float)r[3], (float)r[4], (float)r[5], (float)r[6], (int)r[7]);

    private static void AssertLocations(IReadOnlyList<ZoomLocation> theirs, IReadOnlyList<ZoomLocation> ours, double tolerance, string label)
    {
        Assert.True(theirs.Count == ours.Count, $"{label}: theirs {theirs.Count}, ours {ours.Count}");
        for (int i = 0; i < theirs.Count; i++)
        {
            var (a, b) = (theirs[i], ours[i]);
            Assert.True(Math.Abs(a.Y - b.Y) <= tolerance && Math.Abs(a.X - b.X) <= tolerance && Math.Abs(a.Scale - b.Scale) <= tolerance
                        && Math.Abs(a.Score - b.Score) <= tolerance, $"{label} #{i}: theirs {a}, ours {b}");
        }
    }

    [Fact]
    public void The_saccade_family_brings_the_authors_test_settings()
    {
        var settings = Reference.Value.GetProperty("settings");
        var options = DetectorOptions.ForModel(Spec());
        Assert.Equal((12, 12, 0.3f, 3, true, false), (options.TopK, options.NumDets, options.AeThreshold, options.NmsKernel, options.NoBorder, options.Flip));
        Assert.Equal(settings.GetProperty("top_k").GetInt32(), options.TopK);
        Assert.Equal(settings.GetProperty("num_dets").GetInt32(), options.NumDets);
        Assert.Equal(settings.GetProperty("ae_threshold").GetSingle(), options.AeThreshold);
        Assert.Equal(settings.GetProperty("nms_threshold").GetSingle(), options.NmsThreshold);
        Assert.Equal(settings.GetProperty("max_per_image").GetInt32(), options.MaxPerImage);
        Assert.Equal((NmsKind.Gaussian, 0.7f), (options.NmsKind, options.Sigma));
        var saccade = new SaccadeOptions();
        Assert.Equal(settings.GetProperty("init_sizes").EnumerateArray().Select(v => v.GetInt32()), saccade.ViewSizes);
        Assert.Equal(settings.GetProperty("att_scales")[0].EnumerateArray().Select(v => v.GetDouble()), saccade.AttentionScales);
        Assert.Equal(settings.GetProperty("att_thresholds")[0].GetSingle(), saccade.AttentionThreshold);
        Assert.Equal(settings.GetProperty("att_max_crops").GetInt32(), saccade.MaxCrops);
        Assert.Equal(settings.GetProperty("att_nms_ks")[0].GetInt32(), saccade.AttentionNmsKernel);
        Assert.True(settings.GetProperty("ref_dets").GetBoolean() && saccade.ReferenceDetections);
        Assert.Equal(1, settings.GetProperty("att_thresholds").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Views_are_the_authors_float32_locations(string name)
    {
        var c = Case(name);
        var image = Image(c);
        var theirs = Locations(c.GetProperty("views").GetProperty("locations"));
        AssertLocations(theirs, SaccadeViews.For(image.Height, image.Width, new SaccadeOptions().ViewSizes), 0, name);
    }

    /// <summary>Their views and first crops of the wide image: the same pixels (bilinear, float64) and offsets.</summary>
    [Fact]
    public void Views_and_crops_are_the_authors_network_inputs()
    {
        var c = Case("wide");
        var spec = Spec();
        using var scope = NewDisposeScope();
        var image = SaccadeCrops.ImageTensor(Image(c));
        foreach (var (step, file, count) in new[] { ("views", "wide_views.npy", 2), ("crops", "wide_crops.npy", 2) })
        {
            var locations = Locations(c.GetProperty(step).GetProperty("locations")).Take(count).ToList();
            var (ours, offsets) = SaccadeCrops.Prepare(image, locations, 255, spec.Mean, spec.Std);
            var theirs = NpyFile.ReadFloat32(RepositoryPaths.Fixture("saccade", "steps", file));
            Assert.Equal(theirs.shape, ours.shape);
            double worst = (ours - theirs).abs().max().item<float>();
            output.WriteLine($"{step}: {string.Join(" ", locations)}: max |diff| {worst:G3}");
            Assert.True(worst < 1e-4, $"{step}: max |diff| {worst}");
            Assert.Equal(Offsets(c.GetProperty(step).GetProperty("offsets")).Take(count), offsets);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Attention_peaks_become_the_authors_zoom_locations(string name)
    {
        var c = Case(name);
        var image = Image(c);
        using var scope = NewDisposeScope();
        var maps = Enumerable.Range(0, 3).Select(l => NpyFile.ReadFloat32(RepositoryPaths.Fixture("saccade", "steps", $"{name}_attention{l}.npy"))).ToList();
        var views = Locations(c.GetProperty("views").GetProperty("locations"));
        var ours = AttentionDecoder.Decode(maps, views, Offsets(c.GetProperty("views").GetProperty("offsets")), [16, 8, 4], image.Height, image.Width, new SaccadeOptions());
        var theirs = Locations(c.GetProperty("attentionLocations"));
        output.WriteLine($"{name}: {theirs.Count} attention locations");
        AssertLocations(theirs, ours, 1e-9, name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Confident_view_detections_and_merging_give_the_authors_locations(string name)
    {
        var c = Case(name);
        var references = ZoomLocationMerger.FromDetections(Rows(c.GetProperty("referenceDetections")).Select(Detection), 0.5f);
        AssertLocations(Locations(c.GetProperty("referenceLocations")), references, 0, $"{name} reference");
        var merged = ZoomLocationMerger.Merge(Locations(c.GetProperty("mergeInput")), 16);
        var theirs = Locations(c.GetProperty("mergedLocations"));
        output.WriteLine($"{name}: {c.GetProperty("mergeInput").GetArrayLength()} locations merged into {theirs.Count}");
        AssertLocations(theirs, merged, 0, $"{name} merged");
    }

    /// <summary>location_nms's order and comparisons: numpy's argsort(score)[::-1] puts equal scores last-in first,
    /// min(|dy|, |dx|) decides, strictly, and only at a similar scale.</summary>
    [Fact]
    public void Location_merging_visits_ties_in_reverse_input_order_and_compares_strictly()
    {
        ZoomLocation[] locations =
        [
            new(10, 10, 1, 1), new(100, 100, 1, 1), new(10, 200, 1, 0.9), new(26, 300, 1, 0.8), new(27, 500, 1, 0.75),
            new(27, 400, 2, 0.7),
        ];
        var merged = ZoomLocationMerger.Merge(locations, 16);
        // (100, 100) comes first (the later of the two ties) and its |dy| of 90 keeps (10, 10); (10, 200) has |dy| 0 to
        // (10, 10) and goes; so does (26, 300), exactly 16 away in y (not strictly farther); (27, 500) is 17 away and
        // stays; (27, 400) is at twice the scale.
        Assert.Equal([locations[1], locations[0], locations[4], locations[5]], merged);
    }

    /// <summary>The tiny network on their view batch gives their decoded boxes, and mapped to image pixels (float32 view
    /// scales) the detections their get_ref_locs received.</summary>
    /// <summary>numpy's introsort: up to 17 keys an insertion sort (stable); beyond, quicksort partitions that leave equal
    /// keys out of input order. Expected orders from the transcription in make_saccade_fixtures.py.</summary>
    [Fact]
    public void Equal_scores_are_ordered_as_numpys_argsort_orders_them()
    {
        double[] keys = [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0];
        Assert.Equal([1, 2, 3, 4, 5, 7, 8, 10, 13, 15, 16, 0, 6, 9, 11, 12, 14], NumpyArgsort.Ascending(keys));
        double[] longer = [.. Enumerable.Range(0, 24).Select(i => (double)(i % 3 == 0 ? 1 : 0))];
        Assert.Equal([11, 20, 19, 17, 16, 14, 13, 22, 10, 23, 8, 7, 5, 4, 2, 1, 12, 6, 15, 3, 18, 21, 9, 0], NumpyArgsort.Ascending(longer));
    }

    [Fact]
    public void View_detections_equal_the_authors_and_map_back_to_the_image()
    {
        var c = Case("wide");
        var network = Network.Value; // loaded outside the test's dispose scope, which would free its weights
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var views = NpyFile.ReadFloat32(RepositoryPaths.Fixture("saccade", "steps", "wide_views.npy"));
        var (heads, _) = network.ForwardWithAttention(views);
        var options = DetectorOptions.ForModel(Spec());
        var decoded = CornerDecoder.Decode(heads, options);
        var theirs = c.GetProperty("views").GetProperty("dets").EnumerateArray().SelectMany(v => Rows(v)).Select(Detection).ToArray();
        Assert.Equal(theirs.Length, decoded.Length);
        for (int i = 0; i < theirs.Length; i++) AssertBox(theirs[i], decoded[i], 1e-3f, $"view row {i}");

        var locations = Locations(c.GetProperty("views").GetProperty("locations"));
        var offsets = Offsets(c.GetProperty("views").GetProperty("offsets"));
        var mapped = new List<CornerDetection>();
        for (int v = 0; v < 2; v++)
        {
            SaccadeDetectionMapping.AddMapped(theirs.AsSpan(v * 12, 12), (float)(64.0 / 255), locations[v], offsets[v], isView: true, 0.3f, mapped);
        }

        var expected = Rows(c.GetProperty("referenceDetections")).Select(Detection).ToArray();
        Assert.Equal(expected.Length, mapped.Count);
        for (int i = 0; i < expected.Length; i++) AssertBox(expected[i], mapped[i], 0, $"mapped row {i}");
    }

    [Fact]
    public void Crop_detections_equal_the_authors()
    {
        var c = Case("wide");
        var network = Network.Value;
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var crops = NpyFile.ReadFloat32(RepositoryPaths.Fixture("saccade", "steps", "wide_crops.npy"));
        var decoded = CornerDecoder.Decode(network.forward(crops), DetectorOptions.ForModel(Spec()));
        var theirs = c.GetProperty("crops").GetProperty("dets").EnumerateArray().Take((int)crops.shape[0]).SelectMany(v => Rows(v)).Select(Detection).ToArray();
        Assert.Equal(theirs.Length, decoded.Length);
        for (int i = 0; i < theirs.Length; i++) AssertBox(theirs[i], decoded[i], 1e-3f, $"crop row {i}");
    }

    [Theory]
    [MemberData(nameof(WeightsAndNames))]
    public void Detections_equal_the_authors_cornernet_saccade_inference(string weights, string name)
    {
        var c = Case(name);
        var spec = Spec();
        using var network = ModelCheckpoint.Load(spec, RepositoryPaths.Fixture(weights));
        network.PrepareForInference(InferenceTuning.Default);
        var detector = new SaccadeDetector(network);

        var result = detector.Detect([Image(c)]);

        Assert.Equal(c.GetProperty("crops").GetProperty("locations").GetArrayLength(), result.Crops![0]);
        SqueezePipelineTests.AssertSameDetections(result.Images[0], c, output, $"{weights} {name} ({result.Crops![0]} crops)");
        Assert.True(result.Images[0][0].Score > 0.5f, $"{name}: best score {result.Images[0][0].Score}");
    }

    /// <summary>The views of all images share one forward pass and their crops share passes of up to CropBatch (here
    /// 8, so that passes mix images and split an image's crops); each image still gets what it gets alone.</summary>
    [Fact]
    public void An_image_s_detections_do_not_depend_on_the_others_in_the_call()
    {
        var detector = new SaccadeDetector(Network.Value, saccade: new SaccadeOptions { CropBatch = 8 });
        var images = Cases().Select(Image).ToArray();
        var alone = images.Select(image => detector.Detect([image])).ToArray();
        var together = detector.Detect(images);
        var reversed = detector.Detect([.. images.Reverse()]);
        Assert.True(together.Crops!.Sum() > 8, $"{together.Crops!.Sum()} crops: passes do not mix images");
        for (int i = 0; i < images.Length; i++)
        {
            Assert.Equal(alone[i].Crops![0], together.Crops![i]);
            Assert.Equal(alone[i].Crops![0], reversed.Crops![images.Length - 1 - i]);
            Assert.Equal(alone[i].Images[0], together.Images[i]);
            Assert.Equal(alone[i].Images[0], reversed.Images[images.Length - 1 - i]);
        }
    }

    [Fact]
    public void The_detector_factory_picks_the_test_procedure_by_family()
    {
        var saccade = Assert.IsType<SaccadeDetector>(Detectors.Create(Network.Value, saccade: new SaccadeOptions { MaxCrops = 2 }));
        Assert.Equal(2, saccade.Saccade.MaxCrops);
        Assert.Equal(12, saccade.Options.TopK);
        using var hourglass = new CornerNetNetwork(ArchitectureSpec.Load(RepositoryPaths.Fixture("network", "fixture_arch.json")));
        var cornernet = Assert.IsType<CornerNetDetector>(Detectors.Create(hourglass));
        Assert.True(cornernet.Options.Flip);
    }

    [Fact]
    public void Only_a_saccade_network_drives_the_saccade_detector()
    {
        using var hourglass = new CornerNetNetwork(ArchitectureSpec.Load(RepositoryPaths.Fixture("network", "fixture_arch.json")));
        Assert.Throws<ArgumentException>(() => new SaccadeDetector(hourglass));
        var wrongScales = Assert.Throws<ArgumentException>(() => new SaccadeDetector(Network.Value, saccade: new SaccadeOptions { AttentionScales = [1, 2] }));
        Assert.Contains("AttentionScales", wrongScales.Message, StringComparison.Ordinal);
    }

    private static void AssertBox(CornerDetection expected, CornerDetection actual, float tolerance, string label)
    {
        bool same = expected.Class == actual.Class
                    && Math.Abs(expected.Score - actual.Score) <= tolerance
                    && (expected.Score == -1 || (Math.Abs(expected.X1 - actual.X1) <= tolerance * 10 && Math.Abs(expected.Y1 - actual.Y1) <= tolerance * 10
                                                 && Math.Abs(expected.X2 - actual.X2) <= tolerance * 10 && Math.Abs(expected.Y2 - actual.Y2) <= tolerance * 10));
        Assert.True(same, $"{label}: theirs {expected}, ours {actual}");
    }
}
