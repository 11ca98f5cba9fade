using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CornerNet.Service.Tests.Api;

public sealed class DetectApiTests : IClassFixture<ReadyServiceHost>
{
    private readonly HttpClient _client;

    public DetectApiTests(ReadyServiceHost host) => _client = host.Client;

    private static MultipartFormDataContent Form(byte[] image, string field = "image", string contentType = "image/png")
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { content, field, "upload.png" } };
    }

    [Fact]
    public async Task Multipart_upload_returns_the_contract()
    {
        var response = await _client.PostAsync("/detect", Form(TestImages.Png(150, 97)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(150, root.GetProperty("width").GetInt32());
        Assert.Equal(97, root.GetProperty("height").GetInt32());
        var detections = root.GetProperty("detections");
        Assert.True(detections.GetArrayLength() > 0);
        var first = detections[0];
        var label = first.GetProperty("label").GetString();
        Assert.Contains(label, new[] { "alpha", "beta", "gamma" });
        Assert.InRange(first.GetProperty("classIndex").GetInt32(), 0, 2);
        Assert.InRange(first.GetProperty("score").GetSingle(), 0f, 1f);
        var bbox = first.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(4, bbox.Length);
        Assert.True(bbox[0] <= bbox[2] && bbox[1] <= bbox[3], $"bbox {string.Join(",", bbox)} is inverted");
        Assert.True(bbox[0] >= 0 && bbox[2] <= 150 && bbox[1] >= 0 && bbox[3] <= 97, $"bbox {string.Join(",", bbox)} leaves the 150x97 image");
        Assert.True(root.GetProperty("timings").GetProperty("forwardMs").GetDouble() > 0);
    }

    [Fact]
    public async Task Raw_body_is_recognised_from_its_bytes_whatever_the_declared_type()
    {
        var png = TestImages.Png(64, 64);
        var multipart = await (await _client.PostAsync("/detect", Form(png))).Content.ReadFromJsonAsync<JsonElement>();
        foreach (var declared in new[] { "image/png", "text/plain", "application/octet-stream", "image/jpeg" })
        {
            var body = new ByteArrayContent(png);
            body.Headers.ContentType = new MediaTypeHeaderValue(declared);
            var response = await _client.PostAsync("/detect", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var raw = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(multipart.GetProperty("detections").ToString(), raw.GetProperty("detections").ToString());
        }
    }

    [Fact]
    public async Task Query_filters_apply()
    {
        var png = TestImages.Png(128, 96);
        var all = await Detections(await _client.PostAsync("/detect?scoreThreshold=0", Form(png)));
        var capped = await Detections(await _client.PostAsync("/detect?scoreThreshold=0&maxDetections=3", Form(png)));
        Assert.Equal(all.Take(3).Select(d => d.ToString()), capped.Select(d => d.ToString()));

        var threshold = all[all.Count / 2].GetProperty("score").GetSingle();
        var above = await Detections(await _client.PostAsync($"/detect?scoreThreshold={threshold}", Form(png)));
        Assert.All(above, d => Assert.True(d.GetProperty("score").GetSingle() >= threshold));
        Assert.Equal(all.Count(d => d.GetProperty("score").GetSingle() >= threshold), above.Count);

        var beta = await Detections(await _client.PostAsync("/detect?scoreThreshold=0&classes=beta,2", Form(png)));
        Assert.All(beta, d => Assert.Contains(d.GetProperty("classIndex").GetInt32(), new[] { 1, 2 }));
        Assert.Equal(all.Count(d => d.GetProperty("classIndex").GetInt32() != 0), beta.Count);
    }

    [Fact]
    public async Task Batch_returns_one_result_per_image_in_order_equal_to_single_requests()
    {
        var images = new[] { TestImages.Png(64, 64, 1), TestImages.Png(150, 97, 2), TestImages.Jpeg(120, 80, 3) };
        var form = new MultipartFormDataContent();
        foreach (var image in images)
        {
            form.Add(new ByteArrayContent(image), "images", "x");
        }

        var response = await _client.PostAsync("/detect/batch", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
        Assert.Equal(3, results.GetArrayLength());
        for (var i = 0; i < images.Length; i++)
        {
            var single = await (await _client.PostAsync("/detect", Form(images[i]))).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(single.GetProperty("width").GetInt32(), results[i].GetProperty("width").GetInt32());
            AssertSameDetections(single.GetProperty("detections"), results[i].GetProperty("detections"));
        }
    }

    [Fact]
    public async Task Model_info_names_the_weights_and_their_hash()
    {
        var info = await _client.GetFromJsonAsync<JsonElement>("/model");
        Assert.Equal("fixture", info.GetProperty("architecture").GetString());
        Assert.Equal(["alpha", "beta", "gamma"], info.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!));
        Assert.Equal("fixture_zip.pth", info.GetProperty("weightsFile").GetString());
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(RepositoryPaths.Fixture("network", "fixture_zip.pth"))));
        Assert.Equal(expected, info.GetProperty("weightsSha256").GetString());
        // The checkpoint's count: folding BatchNorm at load adds biases that must not show here.
        using var asTrained = new CornerNet.Model.Architecture.CornerNetNetwork(
            CornerNet.Model.Architecture.ArchitectureSpec.Load(RepositoryPaths.Fixture("network", "fixture_arch.json")));
        Assert.Equal(asTrained.ParameterCount(), info.GetProperty("parameterCount").GetInt64());
        Assert.Equal(4, info.GetProperty("batching").GetProperty("maxBatchSize").GetInt32());
        Assert.Equal("fp32", info.GetProperty("inference").GetProperty("precision").GetString());
        Assert.True(info.GetProperty("inference").GetProperty("foldBatchNorm").GetBoolean());
        Assert.True(info.GetProperty("inference").GetProperty("reuseFreedMemory").GetBoolean());
        Assert.Equal(100, info.GetProperty("pipeline").GetProperty("topK").GetInt32());
    }

    [Fact]
    public async Task Swagger_documents_the_upload_and_serves_its_ui()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var detect = document.GetProperty("paths").GetProperty("/detect").GetProperty("post");
        var multipart = detect.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data");
        Assert.Equal("binary", multipart.GetProperty("schema").GetProperty("properties").GetProperty("image").GetProperty("format").GetString());
        var responses = detect.GetProperty("responses");
        foreach (var status in new[] { "200", "400", "413", "415", "422", "503", "504" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"response {status} is not documented");
        }

        Assert.Contains("Detects objects in one image", detect.GetProperty("summary").GetString());
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("DetectionResponse", out _));
        var ui = await _client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_and_metrics_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/ready")).StatusCode);
        await _client.PostAsync("/detect", Form(TestImages.Png(64, 64)));
        var metrics = await _client.GetStringAsync("/metrics");
        foreach (var name in new[] { "cornernet_queue_depth", "cornernet_batch_size_bucket", "cornernet_forward_seconds_bucket",
                     "cornernet_decode_seconds_bucket", "cornernet_images_processed_total", "http_request_duration_seconds_bucket",
                     "http_requests_received_total" })
        {
            Assert.Contains(name, metrics);
        }
    }

    internal static async Task<List<JsonElement>> Detections(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.GetProperty("detections").EnumerateArray().ToList();
    }

    internal static void AssertSameDetections(JsonElement expected, JsonElement actual)
    {
        Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
        foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
        {
            Assert.Equal(e.GetProperty("classIndex").GetInt32(), a.GetProperty("classIndex").GetInt32());
            Assert.Equal(e.GetProperty("score").GetSingle(), a.GetProperty("score").GetSingle(), 1e-4f);
            var eb = e.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var ab = a.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            for (var k = 0; k < 4; k++) Assert.Equal(eb[k], ab[k], 1e-2f);
        }
    }
}
