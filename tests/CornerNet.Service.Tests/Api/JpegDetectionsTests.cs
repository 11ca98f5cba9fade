using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Xunit.Abstractions;

namespace CornerNet.Service.Tests.Api;

/// <summary>
/// End to end on JPEG files: the service, given the same JPEG bytes the authors' pipeline read with
/// <c>cv2.imread</c> (tests/fixtures/pipeline, JPEG cases: baseline, progressive 4:4:4, EXIF-rotated, arithmetic-coded
/// at three scales), returns the authors' detections, with the fixture weights in both checkpoint formats.
/// </summary>
[Trait("Category", "Slow")]
public sealed class JpegDetectionsTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("pipeline", "reference.json"))).RootElement);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in Reference.Value.GetProperty("cases").EnumerateArray())
        {
            if (!c.GetProperty("image").GetString()!.EndsWith(".jpg", StringComparison.Ordinal)) continue;
            foreach (var weights in new[] { "fixture_zip.pth", "fixture_legacy.pkl" })
            {
                data.Add(c.GetProperty("name").GetString()!, weights);
            }
        }

        return data;
    }

    [Fact]
    public void The_reference_has_jpeg_cases()
    {
        Assert.True(Cases().Count >= 8, $"{Cases().Count} JPEG case × weights combinations");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_service_returns_the_authors_detections_for_a_jpeg(string name, string weights)
    {
        var c = Reference.Value.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var settings = new Dictionary<string, string?>
        {
            ["Model:Weights"] = RepositoryPaths.Fixture("network", weights),
            ["Pipeline:NmsKind"] = c.GetProperty("nms").GetString() switch
            {
                "exp_soft_nms" => "Gaussian",
                "linear_soft_nms" => "Linear",
                "nms" => "Hard",
                var other => throw new InvalidDataException(other),
            },
            ["Pipeline:MergeBoxes"] = c.GetProperty("mergeBoxes").GetBoolean().ToString(),
            ["Detection:MaxDetections"] = "100",
        };
        var scales = c.GetProperty("scales").EnumerateArray().Select(s => s.GetDouble()).ToArray();
        for (int i = 0; i < scales.Length; i++) settings[$"Pipeline:TestScales:{i}"] = scales[i].ToString(CultureInfo.InvariantCulture);

        await using var factory = new ServiceFactory(settings);
        var client = await factory.CreateReadyClientAsync();
        var pipeline = JsonDocument.Parse(await client.GetStringAsync("/model")).RootElement.GetProperty("pipeline");
        Assert.Equal(scales, pipeline.GetProperty("testScales").EnumerateArray().Select(s => s.GetDouble()));
        var jpeg = File.ReadAllBytes(RepositoryPaths.Fixture(c.GetProperty("image").GetString()!));
        var body = new ByteArrayContent(jpeg);
        body.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        var response = await client.PostAsync("/detect?scoreThreshold=0", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var ours = JsonDocument.Parse(text).RootElement.GetProperty("detections").EnumerateArray().ToArray();

        var theirs = c.GetProperty(c.TryGetProperty("detectionsIntendedBoxWeights", out _) ? "detectionsIntendedBoxWeights" : "detectionsIntended")
            .EnumerateArray().ToArray();
        var confident = theirs.Where(t => t.GetProperty("score").GetSingle() >= 0.05f).ToArray();
        int matched = confident.Count(t => ours.Any(o => Same(o, t)));
        output.WriteLine($"{name} ({weights}): ours {ours.Length}, theirs {theirs.Length}, confident {confident.Length}, matched {matched}");
        Assert.NotEmpty(confident);
        Assert.Equal(confident.Length, matched);
        for (int i = 0; i < Math.Min(10, theirs.Length); i++)
        {
            Assert.True(Same(ours[i], theirs[i]), $"{name}: rank {i}: ours {ours[i]}, theirs {theirs[i]}");
        }
    }

    /// <summary>Same class, score within 1e-3, corners within 0.05 px (the service rounds nothing further).</summary>
    private static bool Same(JsonElement ours, JsonElement theirs)
    {
        var a = ours.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var b = theirs.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return ours.GetProperty("classIndex").GetInt32() == theirs.GetProperty("classIndex").GetInt32()
               && Math.Abs(ours.GetProperty("score").GetSingle() - theirs.GetProperty("score").GetSingle()) <= 1e-3f
               && a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= 0.05f);
    }
}
