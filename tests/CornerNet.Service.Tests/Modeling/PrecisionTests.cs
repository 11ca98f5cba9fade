using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Model.Data;
using SixLabors.ImageSharp.Formats.Png;

namespace CornerNet.Service.Tests.Modeling;

/// <summary>Inference:Precision=bf16 serves the same model in bfloat16: /model says so and detections stay close.</summary>
public sealed class PrecisionTests
{
    [Fact]
    public async Task Bf16_serves_detections_close_to_fp32()
    {
        // A held-out synthetic scene (a seed the demo model was not trained on), served by the demo model.
        var generator = new SyntheticShapesGenerator(new SyntheticShapesOptions { Seed = 77, MinImageSize = 256, MaxImageSize = 256, MinObjectsPerImage = 4 });
        using var scene = generator.Render(0);
        var image = TestImages.Encode(scene.Image, new PngEncoder());
        var (fp32Info, fp32) = await InfoAndDetectAsync(new Dictionary<string, string?>(), image);
        var (bf16Info, bf16) = await InfoAndDetectAsync(new Dictionary<string, string?> { ["Inference:Precision"] = "bf16" }, image);

        Assert.Equal("fp32", fp32Info.GetProperty("inference").GetProperty("precision").GetString());
        Assert.Equal("bf16", bf16Info.GetProperty("inference").GetProperty("precision").GetString());
        // Clear of the 0.3 threshold, so a score moving by bf16 rounding cannot drop a detection from the response.
        var confident = fp32.Where(d => d.GetProperty("score").GetDouble() >= 0.35).ToList();
        Assert.True(confident.Count >= 3, $"only {confident.Count} confident fp32 detections");
        foreach (var expected in confident)
        {
            Assert.Contains(bf16, actual => Matches(expected, actual));
        }
    }

    /// <summary>Same class, score within 0.02, every coordinate within 2 pixels.</summary>
    private static bool Matches(JsonElement expected, JsonElement actual) =>
        expected.GetProperty("classIndex").GetInt32() == actual.GetProperty("classIndex").GetInt32()
        && Math.Abs(expected.GetProperty("score").GetDouble() - actual.GetProperty("score").GetDouble()) <= 0.02
        && expected.GetProperty("bbox").EnumerateArray().Zip(actual.GetProperty("bbox").EnumerateArray())
            .All(p => Math.Abs(p.First.GetDouble() - p.Second.GetDouble()) <= 2.0);

    private static async Task<(JsonElement Info, List<JsonElement> Detections)> InfoAndDetectAsync(Dictionary<string, string?> overrides, byte[] image)
    {
        await using var factory = new ServiceFactory(overrides, fixtureModel: false);
        using var client = await factory.CreateReadyClientAsync();
        var info = await client.GetFromJsonAsync<JsonElement>("/model");
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await client.PostAsync("/detect?scoreThreshold=0.3", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (info, body.GetProperty("detections").EnumerateArray().ToList());
    }
}
