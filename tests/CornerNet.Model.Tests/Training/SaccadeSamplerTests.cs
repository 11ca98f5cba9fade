using System.Text.Json;
using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;
using CornerNet.Model.Training;
using CornerNet.Model.Training.Saccade;
using Xunit.Abstractions;

namespace CornerNet.Model.Tests.Training;

/// <summary>
/// CornerNet-Saccade's training sampler against the authors' <c>cornernet_saccade</c> (tests/fixtures/saccade-training,
/// README there): with their numpy draws replayed, every step gives their values (clipping, reference scale, scaled
/// image, crop centre and window, flip, boxes, attention targets, heatmaps, valid masks, tags, offsets) and the crop
/// their pixels before the colour steps.
/// </summary>
public sealed class SaccadeSamplerTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("saccade-training", "sampler.json"))).RootElement);

    private static ArchitectureSpec Spec() => ArchitectureSpec.Load(RepositoryPaths.Fixture("saccade", "tiny_arch.json"));

    /// <summary>Colour steps off and no normalisation: the planes are the crop's bytes / 255.</summary>
    private static SaccadeSampler PlainSampler() =>
        new(Spec(), AugmentationOptions.FromSpec(Spec()) with { ColorJitter = false, Lighting = false, Mean = [0, 0, 0], Std = [1, 1, 1] });

    public static TheoryData<int> Samples()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Reference.Value.GetProperty("samples").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    private static readonly ImageLoader Loader = new();

    private static DecodedImage Png(string relative) => Loader.Load(File.ReadAllBytes(RepositoryPaths.Fixture(relative.Split('/'))), bgr: true);

    private static List<TrainingBox> Boxes(JsonElement rows) =>
        [.. rows.EnumerateArray().Select(r => new TrainingBox(r[0].GetSingle(), r[1].GetSingle(), r[2].GetSingle(), r[3].GetSingle(), r[4].GetInt32()))];

    [Fact]
    public void The_settings_are_the_authors_and_the_attention_maps_follow_the_network()
    {
        var settings = Reference.Value.GetProperty("settings");
        var sampler = PlainSampler();
        Assert.Equal(settings.GetProperty("rand_scales").EnumerateArray().Select(v => v.GetDouble()), sampler.Options.RandomScales);
        Assert.Equal(settings.GetProperty("min_scale").GetInt32(), sampler.Options.MinScale);
        Assert.Equal(settings.GetProperty("gaussian_iou").GetDouble(), sampler.Options.GaussianMinOverlap);
        Assert.False(settings.GetProperty("rand_crop").GetBoolean());
        Assert.True(settings.GetProperty("rand_center").GetBoolean());
        Assert.Equal(settings.GetProperty("att_ranges").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()), sampler.Options.AttentionRanges);
        Assert.Equal(settings.GetProperty("att_ratios").EnumerateArray().Select(v => v.GetInt32()), sampler.AttentionStrides);
        Assert.Equal(settings.GetProperty("att_sizes").EnumerateArray().Select(s => (s[0].GetInt32(), s[1].GetInt32())), sampler.AttentionSizes);

        // A 127x127 network (output 32) has maps of 8, 16 and 32 cells at the same strides.
        var small = new SaccadeSampler(Spec() with { InputSize = [127, 127], OutputSize = [32, 32] });
        Assert.Equal(new[] { (8, 8), (16, 16), (32, 32) }, small.AttentionSizes);
        Assert.Equal(new[] { 16, 8, 4 }, small.AttentionStrides);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_step_of_a_sample_is_the_authors(int index)
    {
        var theirs = Reference.Value.GetProperty("samples")[index];
        var image = Png(theirs.GetProperty("image").GetString()!);
        var objects = Boxes(theirs.GetProperty("objects"));
        var spec = Spec();
        var sampler = PlainSampler();

        // Step by step, with their draws.
        var draws = new ReplayedDraws(theirs.GetProperty("draws"));
        var kept = new List<int>();
        var inImage = CornerTargetBuilder.ClipToRegion(objects, 0, image.Height, 0, image.Width, kept);
        Assert.Equal(theirs.GetProperty("imageKeep").EnumerateArray().Select(k => k.GetInt32()), kept);
        Assert.Equal(Boxes(theirs.GetProperty("inImage")), inImage);
        var reference = SaccadeSampling.ReferenceScale(inImage, draws);
        if (theirs.GetProperty("referenceIndex").ValueKind == JsonValueKind.Null)
        {
            Assert.Null(reference);
        }
        else
        {
            Assert.Equal(theirs.GetProperty("referenceIndex").GetInt32(), reference!.Value.Index);
            Assert.Equal(theirs.GetProperty("referenceScale").GetDouble(), reference.Value.Scale);
        }

        var scale = reference?.Scale ?? sampler.Options.RandomScales[draws.RandInt(0, sampler.Options.RandomScales.Length)];
        Assert.Equal(theirs.GetProperty("scale").GetDouble(), scale);
        var size = SaccadeSampling.ScaledSize(image.Height, image.Width, scale);
        Assert.Equal((theirs.GetProperty("scaledSize")[0].GetInt32(), theirs.GetProperty("scaledSize")[1].GetInt32()), size);
        var scaled = SaccadeSampling.Scale(inImage, scale);
        Assert.Equal(Boxes(theirs.GetProperty("scaled")), scaled);
        var center = SaccadeSampling.CropCenter(size.Height, size.Width, reference is { } r ? scaled[r.Index] : null, 255, 255, true, 15, draws);
        Assert.Equal((theirs.GetProperty("center")[0].GetInt32(), theirs.GetProperty("center")[1].GetInt32()), center);
        var window = SaccadeSampling.CropWindow(center, 255, 255, size.Height, size.Width);
        Assert.Equal((theirs.GetProperty("offset")[0].GetInt32(), theirs.GetProperty("offset")[1].GetInt32()), (window.OffsetY, window.OffsetX));
        Assert.Equal(theirs.GetProperty("cropBorder").EnumerateArray().Select(v => v.GetDouble()), new double[] { window.Top, window.Bottom, window.Left, window.Right });
        var inCropIndices = new List<int>();
        var inCrop = CornerTargetBuilder.ClipToRegion(SaccadeSampling.Shift(scaled, window.OffsetY, window.OffsetX), window.Top, window.Bottom, window.Left, window.Right, inCropIndices);
        Assert.Equal(theirs.GetProperty("cropKeep").EnumerateArray().Select(k => k.GetInt32()), inCropIndices);
        var flipped = draws.Uniform() > 0.5;
        Assert.Equal(theirs.GetProperty("flipped").GetBoolean(), flipped);
        if (flipped) inCrop = SaccadeSampling.Flip(inCrop, 255);
        Assert.Equal(Boxes(theirs.GetProperty("boxes")), inCrop);
        Assert.Equal(0, draws.Remaining);
        var originals = SaccadeSampling.Scale([.. inCropIndices.Select(i => objects[kept[i]])], scale);
        Assert.Equal(theirs.GetProperty("areaRatios").EnumerateArray().Select(v => v.GetSingle()), SaccadeSampling.AreaRatios(inCrop, originals));

        // The whole sample, with the same draws.
        var sample = sampler.Sample(image.Pixels, image.Width, image.Height, objects, new ReplayedDraws(theirs.GetProperty("draws")), new Random(1));
        Assert.Equal(scale, sample.Scale);
        Assert.Equal(center, sample.Center);
        Assert.Equal(window, sample.Window);
        Assert.Equal(flipped, sample.Flipped);
        Assert.Equal(inCrop, sample.Boxes);
        AssertCrop(theirs.GetProperty("crop").GetString()!, sample.Pixels);
        AssertTargets(theirs.GetProperty("targets"), sample.Targets, spec);
        output.WriteLine($"{theirs.GetProperty("image").GetString()} seed {theirs.GetProperty("seed").GetInt32()}: scale {scale:F4}, centre {center}, flipped {flipped}, {inCrop.Count} boxes, {sample.Learnt.Count(l => l)} learnt");
    }

    [Fact]
    public void A_box_of_exactly_32_pixels_marks_two_attention_maps_and_one_outside_every_range_none()
    {
        var sampler = PlainSampler();
        TrainingBox[] boxes = [new(100, 100, 132, 120, 0), new(10, 10, 10.5f, 10.5f, 1)];
        var maps = SaccadeSampling.AttentionTargets(boxes, sampler.AttentionSizes, sampler.AttentionStrides, [[96, 256], [32, 96], [0.6, 32]]);
        Assert.Equal(new[] { 0, 1, 1 }, maps.Select(m => (int)m.Sum()));
        Assert.Equal(1, maps[1][(110 / 8 * 32) + (116 / 8)]);
        Assert.Equal(1, maps[2][(110 / 4 * 64) + (116 / 4)]);
    }

    [Fact]
    public void The_reference_scale_brings_the_reference_object_into_its_range()
    {
        var random = new RandomDraws(new Random(3));
        foreach (var (side, low, high) in new[] { (150f, 96, 254), (60f, 32, 96), (20f, 16, 32), (96f, 32, 96), (32f, 16, 32) })
        {
            for (var i = 0; i < 20; i++)
            {
                var (scale, index) = SaccadeSampling.ReferenceScale([new TrainingBox(5, 5, 5 + side, 5 + side / 2, 0)], random)!.Value;
                Assert.Equal(0, index);
                var scaled = Math.Round(scale * side, 6);
                Assert.InRange(scaled, low, high);
                Assert.Equal(Math.Round(scaled), scaled);
            }
        }

        Assert.Null(SaccadeSampling.ReferenceScale([], random));
    }

    private void AssertCrop(string relative, float[] planes)
    {
        var crop = Png(relative);
        var planeSize = crop.Width * crop.Height;
        Assert.Equal(3 * planeSize, planes.Length);
        int differing = 0, worst = 0;
        for (var i = 0; i < planeSize; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                var ours = (int)MathF.Round(planes[c * planeSize + i] * 255);
                var difference = Math.Abs(ours - crop.Pixels[i * 3 + c]);
                if (difference > 0) differing++;
                worst = Math.Max(worst, difference);
            }
        }

        output.WriteLine($"{relative}: {differing} of {3 * planeSize} values differ, by at most {worst}");
        // cv2.resize through OpenCvSharp 4.13 gives the bytes of Debian's OpenCV 4.6 under the authors' code.
        Assert.True(differing == 0, $"{relative}: {differing} values differ, by at most {worst}");
    }

    private static void AssertTargets(JsonElement theirs, ImageCornerTargets ours, ArchitectureSpec spec)
    {
        var (height, width) = (spec.OutputSize[0], spec.OutputSize[1]);
        AssertDense(theirs.GetProperty("topLeftHeat"), ours.TopLeftHeat, 0, height, width, "top-left heatmap");
        AssertDense(theirs.GetProperty("bottomRightHeat"), ours.BottomRightHeat, 0, height, width, "bottom-right heatmap");
        AssertDense(theirs.GetProperty("topLeftInvalid"), ours.TopLeftValid!, 1, height, width, "top-left valid mask");
        AssertDense(theirs.GetProperty("bottomRightInvalid"), ours.BottomRightValid!, 1, height, width, "bottom-right valid mask");
        var attention = theirs.GetProperty("attention");
        Assert.Equal(attention.GetArrayLength(), ours.Attention.Count);
        for (var level = 0; level < ours.Attention.Count; level++)
        {
            var mapWidth = ours.AttentionSizes[level].Width;
            var expected = attention[level].EnumerateArray().Select(c => c[0].GetInt32() * mapWidth + c[1].GetInt32()).Order();
            Assert.Equal(expected, ours.Attention[level].Select((v, i) => (v, i)).Where(p => p.v != 0).Select(p => p.i));
            Assert.All(ours.Attention[level], v => Assert.True(v is 0 or 1));
        }

        var count = theirs.GetProperty("objects").GetInt32();
        Assert.Equal(count, ours.ObjectCount);
        Assert.Equal(theirs.GetProperty("topLeftIndices").EnumerateArray().Select(v => v.GetInt64()), ours.TopLeftIndices.Take(count));
        Assert.Equal(theirs.GetProperty("bottomRightIndices").EnumerateArray().Select(v => v.GetInt64()), ours.BottomRightIndices.Take(count));
        Assert.Equal(theirs.GetProperty("topLeftOffsets").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle())), ours.TopLeftOffsets.Take(2 * count));
        Assert.Equal(theirs.GetProperty("bottomRightOffsets").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle())), ours.BottomRightOffsets.Take(2 * count));
    }

    /// <summary>Their sparse cells ([c, y, x, value], or [c, y, x] for a 0 in a map of <paramref name="background"/> 1)
    /// against our dense [C, H, W] map.</summary>
    private static void AssertDense(JsonElement cells, float[] ours, float background, int height, int width, string what)
    {
        var expected = new float[ours.Length];
        Array.Fill(expected, background);
        foreach (var cell in cells.EnumerateArray())
        {
            var at = (cell[0].GetInt32() * height + cell[1].GetInt32()) * width + cell[2].GetInt32();
            expected[at] = cell.GetArrayLength() > 3 ? cell[3].GetSingle() : 0;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != ours[i]) Assert.Fail($"{what}: cell {i} (class {i / (height * width)}, y {i / width % height}, x {i % width}) is {ours[i]}, theirs {expected[i]}");
        }
    }
}
