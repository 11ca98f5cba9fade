using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CornerNet.Service.Tests;

/// <summary>
/// The real service serving the tiny CornerNet-Saccade network that the authors' CornerNet-Lite classes built
/// (tests/fixtures/saccade) from its architecture file, in both checkpoint formats: POST /detect gives their
/// cornernet_saccade_inference's detections with their number of zoom crops, /model shows the saccade settings, and
/// an image's detections do not depend on what it was batched with.
/// </summary>
public sealed class SaccadeServiceTests
{
    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("saccade", "reference.json"))).RootElement;

    private static ServiceFactory Factory(string weights, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Model:Architecture"] = RepositoryPaths.Fixture("saccade", "tiny_arch.json"),
            ["Model:Weights"] = RepositoryPaths.Fixture(weights),
            ["Detection:ScoreThreshold"] = "0.05",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return new ServiceFactory(settings);
    }

    public static TheoryData<string> Weights() => [.. Reference.GetProperty("weights").EnumerateArray().Select(w => w.GetString()!)];

    private static JsonElement Case(string name) =>
        Reference.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static byte[] Png(string name) => File.ReadAllBytes(RepositoryPaths.Fixture(Case(name).GetProperty("image").GetString()!));

    private static MultipartFormDataContent Form(string field, params byte[][] images)
    {
        var form = new MultipartFormDataContent();
        foreach (var image in images)
        {
            var content = new ByteArrayContent(image);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(content, field, "image.png");
        }

        return form;
    }

    private static async Task<JsonElement> Detect(HttpClient client, string name)
    {
        var response = await client.PostAsync("/detect", Form("image", Png(name)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Theory]
    [MemberData(nameof(Weights))]
    public async Task Detect_returns_the_authors_saccade_detections_and_crops(string weights)
    {
        // The warm-up and the load-time batch-size measurement run the saccade procedure too.
        await using var factory = Factory(weights, new() { ["Batching:MeasureBatchSizes"] = "true", ["Batching:MaxBatchSize"] = "2" });
        var client = await factory.CreateReadyClientAsync();
        Assert.True((await MetricsSnapshot.ReadAsync(client))["cornernet_batch_size_cap"] >= 1);
        foreach (var c in Reference.GetProperty("cases").EnumerateArray())
        {
            var name = c.GetProperty("name").GetString()!;
            var body = await Detect(client, name);
            Assert.Equal(c.GetProperty("crops").GetProperty("locations").GetArrayLength(), body.GetProperty("timings").GetProperty("crops").GetInt32());
            var ours = body.GetProperty("detections").EnumerateArray().ToArray();
            var theirs = c.GetProperty("detectionsIntended").EnumerateArray().Where(t => t.GetProperty("score").GetSingle() >= 0.05f).ToArray();
            Assert.NotEmpty(theirs);
            Assert.Equal(theirs.Length, ours.Length);
            Assert.All(theirs, t => Assert.True(ours.Any(o => Same(o, t)), $"{weights} {name}: theirs {t} not found"));
            for (int i = 0; i < 10; i++) Assert.True(Same(ours[i], theirs[i]), $"{weights} {name}: rank {i}: ours {ours[i]}, theirs {theirs[i]}");
        }
    }

    [Fact]
    public async Task Batched_images_get_what_they_get_alone_and_the_saccade_settings_show()
    {
        await using var factory = Factory("saccade/tiny_zip.pth", new()
        {
            ["Batching:MaxBatchSize"] = "4",
            ["Batching:MaxDelayMs"] = "200",
        });
        var client = await factory.CreateReadyClientAsync();

        var model = await client.GetFromJsonAsync<JsonElement>("/model");
        Assert.Equal("saccade", model.GetProperty("family").GetString());
        var saccade = model.GetProperty("saccade");
        Assert.Equal([192, 255], saccade.GetProperty("viewSizes").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(30, saccade.GetProperty("maxCrops").GetInt32());
        Assert.Equal(32, saccade.GetProperty("cropBatch").GetInt32());
        Assert.Equal(0.3f, saccade.GetProperty("attentionThreshold").GetSingle());
        var pipeline = model.GetProperty("pipeline");
        Assert.Equal((12, 12), (pipeline.GetProperty("topK").GetInt32(), pipeline.GetProperty("numDets").GetInt32()));
        Assert.True(pipeline.GetProperty("noBorder").GetBoolean());
        Assert.False(pipeline.GetProperty("flip").GetBoolean());

        var before = await MetricsSnapshot.ReadAsync(client);
        var wide = await Detect(client, "wide");
        var tall = await Detect(client, "tall");
        JsonElement results = default;
        int batchSize = 0;
        // Both images of one request are queued at once; the worker runs them together unless it woke for the first
        // before the second was queued, so a few tries make the batched case certain.
        for (int attempt = 0; attempt < 5 && batchSize < 2; attempt++)
        {
            var response = await client.PostAsync("/detect/batch", Form("images", Png("wide"), Png("tall")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
            batchSize = results[0].GetProperty("timings").GetProperty("batchSize").GetInt32();
        }

        Assert.Equal(2, batchSize);
        foreach (var (alone, together) in new[] { (wide, results[0]), (tall, results[1]) })
        {
            Assert.Equal(alone.GetProperty("timings").GetProperty("crops").GetInt32(), together.GetProperty("timings").GetProperty("crops").GetInt32());
            Assert.Equal(alone.GetProperty("detections").ToString(), together.GetProperty("detections").ToString());
        }

        var after = await MetricsSnapshot.ReadAsync(client);
        Assert.True(after["cornernet_zoom_crops_count"] - before["cornernet_zoom_crops_count"] >= 4);

        var annotated = await client.PostAsync("/detect/annotated", Form("image", Png("small")));
        Assert.Equal(HttpStatusCode.OK, annotated.StatusCode);
        Assert.StartsWith("image/", annotated.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    private static bool Same(JsonElement ours, JsonElement theirs)
    {
        var box = ours.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var expected = theirs.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return ours.GetProperty("classIndex").GetInt32() == theirs.GetProperty("classIndex").GetInt32()
               && Math.Abs(ours.GetProperty("score").GetSingle() - theirs.GetProperty("score").GetSingle()) <= 1e-3f
               && box.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= 0.05f);
    }
}
