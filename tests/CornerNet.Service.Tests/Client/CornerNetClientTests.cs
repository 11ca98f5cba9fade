using System.Net;
using System.Text.Json;
using CornerNet.Client;

namespace CornerNet.Service.Tests.Client;

/// <summary>The typed client against the real service host (in-memory test server, or Kestrel for the overload test).</summary>
public class CornerNetClientTests
{
    [Fact]
    public async Task The_client_reads_one_image_as_the_raw_api_answers_it()
    {
        await using var factory = new ServiceFactory();
        using var http = await factory.CreateReadyClientAsync();
        var client = new CornerNetClient(http);
        var png = TestImages.Png(96, 64);

        var result = await client.DetectAsync(new ImageUpload(png, "a.png"), new DetectOptions { MaxDetections = 5 });

        using var raw = new ByteArrayContent(png);
        using var rawResponse = await http.PostAsync("/detect?maxDetections=5", raw);
        using var expected = JsonDocument.Parse(await rawResponse.Content.ReadAsStringAsync());
        var detections = expected.RootElement.GetProperty("detections");
        Assert.Equal((96, 64), (result.Width, result.Height));
        Assert.Equal(detections.GetArrayLength(), result.Detections.Count);
        Assert.InRange(result.Detections.Count, 1, 5);
        for (int i = 0; i < result.Detections.Count; i++)
        {
            Assert.Equal(detections[i].GetProperty("label").GetString(), result.Detections[i].Label);
            Assert.Equal(detections[i].GetProperty("score").GetSingle(), result.Detections[i].Score);
            Assert.Equal(detections[i].GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()), result.Detections[i].Bbox);
        }

        Assert.True(result.Timings.TotalMs > 0);
        Assert.Equal(1, result.Timings.BatchSize);
    }

    [Fact]
    public async Task The_client_sends_a_batch_an_annotated_request_and_reads_the_model_info()
    {
        await using var factory = new ServiceFactory();
        using var http = await factory.CreateReadyClientAsync();
        var client = new CornerNetClient(http);

        var batch = await client.DetectBatchAsync([new ImageUpload(TestImages.Png(40, 30)), new ImageUpload(TestImages.Jpeg(50, 70), "b.jpg")]);
        var annotated = await client.DetectAnnotatedAsync(new ImageUpload(TestImages.Png(40, 30)), jpeg: true);
        var model = await client.GetModelAsync();

        Assert.Equal([(40, 30), (50, 70)], batch.Select(r => (r.Width, r.Height)));
        Assert.Equal("image/jpeg", annotated.ContentType);
        Assert.Equal([0xFF, 0xD8], annotated.Content[..2]);
        Assert.NotEmpty(model.Classes);
        Assert.Equal(64, model.WeightsSha256.Length);
        Assert.Equal(30, model.Batching.ShutdownDrainSeconds);
        Assert.Contains("png", model.Limits.ImageFormats);
        Assert.NotEmpty(model.Pipeline.TestScales);
    }

    [Fact]
    public async Task A_refused_image_throws_the_problem_document_as_a_typed_exception()
    {
        await using var factory = new ServiceFactory();
        using var http = await factory.CreateReadyClientAsync();
        var client = new CornerNetClient(http);

        var problem = await Assert.ThrowsAsync<CornerNetProblemException>(() => client.DetectAsync(new ImageUpload("not an image"u8.ToArray())));

        Assert.Equal(HttpStatusCode.BadRequest, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Title));
        Assert.False(string.IsNullOrEmpty(problem.Detail));
        Assert.False(string.IsNullOrEmpty(problem.Type));
        Assert.Null(problem.RetryAfter);
    }

    [Fact]
    [Trait(TestCategories.Category, TestCategories.Slow)]
    public async Task Overload_503s_are_thrown_without_retries_and_retried_after_their_retry_after_until_served()
    {
        // The service's own overload answer: a queue of two, one image per batch, many large images at once.
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MaxBatchSize"] = "1",
            ["Batching:QueueCapacity"] = "2",
        }, realPort: true);
        using var http = await factory.CreateReadyClientAsync();
        var big = new ImageUpload(TestImages.Png(900, 700));

        var impatient = new CornerNetClient(http, new CornerNetClientOptions { MaxRetries = 0 });
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            try
            {
                await impatient.DetectAsync(big);
                return null;
            }
            catch (CornerNetProblemException e)
            {
                return e;
            }
        }));
        var busy = outcomes.OfType<CornerNetProblemException>().ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, e => Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Status));
        Assert.All(busy, e => Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter));
        Assert.All(busy, e => Assert.False(string.IsNullOrEmpty(e.Title)));

        var patient = new CornerNetClient(http, new CornerNetClientOptions { MaxRetries = 100 });
        var served = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => patient.DetectAsync(big)));
        Assert.All(served, r => Assert.Equal(900, r.Width));
    }
}
