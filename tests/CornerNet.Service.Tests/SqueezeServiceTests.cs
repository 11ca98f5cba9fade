using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CornerNet.Service.Tests;

/// <summary>
/// The real service serving the tiny squeeze network that the authors' CornerNet-Lite classes built and trained, from
/// the GPU-tagged legacy checkpoint (tests/fixtures/squeeze): POST /detect gives their cornernet_inference's
/// detections, with the test settings the squeeze family brings, and /model shows them.
/// </summary>
public sealed class SqueezeServiceTests
{
    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("squeeze", "reference.json"))).RootElement;

    private static ServiceFactory Factory(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Model:Architecture"] = RepositoryPaths.Fixture("squeeze", "tiny_arch.json"),
            ["Model:Weights"] = RepositoryPaths.Fixture("squeeze", "tiny_legacy.pkl"),
            ["Detection:ScoreThreshold"] = "0.05",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return new ServiceFactory(settings);
    }

    [Fact]
    public async Task Detect_returns_the_authors_squeeze_detections()
    {
        await using var factory = Factory();
        var client = await factory.CreateReadyClientAsync();
        foreach (var c in Reference.GetProperty("cases").EnumerateArray())
        {
            var content = new ByteArrayContent(File.ReadAllBytes(RepositoryPaths.Fixture(c.GetProperty("image").GetString()!)));
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var response = await client.PostAsync("/detect", new MultipartFormDataContent { { content, "image", "image.png" } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var ours = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detections").EnumerateArray().ToArray();

            var theirs = c.GetProperty("detectionsIntended").EnumerateArray().Where(t => t.GetProperty("score").GetSingle() >= 0.05f).ToArray();
            Assert.NotEmpty(theirs);
            Assert.Equal(theirs.Length, ours.Length);
            foreach (var (o, t) in ours.Zip(theirs))
            {
                Assert.Equal(t.GetProperty("classIndex").GetInt32(), o.GetProperty("classIndex").GetInt32());
                Assert.Equal(t.GetProperty("score").GetSingle(), o.GetProperty("score").GetSingle(), 1e-3f);
                var box = o.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                var expected = t.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                for (int i = 0; i < 4; i++) Assert.Equal(expected[i], box[i], 0.05f);
            }
        }
    }

    [Fact]
    public async Task Model_shows_the_squeeze_test_settings_and_configuration_overrides_only_what_it_sets()
    {
        await using var factory = Factory(new() { ["Pipeline:TopK"] = "30" });
        var client = await factory.CreateReadyClientAsync();
        var model = await client.GetFromJsonAsync<JsonElement>("/model");
        var pipeline = model.GetProperty("pipeline");
        Assert.Equal(30, pipeline.GetProperty("topK").GetInt32());
        Assert.Equal(100, pipeline.GetProperty("numDets").GetInt32());
        Assert.False(pipeline.GetProperty("flip").GetBoolean());
        Assert.True(pipeline.GetProperty("normalizeInFloat32").GetBoolean());
    }
}
