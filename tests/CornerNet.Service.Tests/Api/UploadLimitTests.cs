using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CornerNet.Service.Api;
using Microsoft.Extensions.DependencyInjection;

namespace CornerNet.Service.Tests.Api;

/// <summary>
/// Issue 15's input side in process: lying images are 400, a multipart body with too many parts, too long a part
/// header or boundary is 400 saying so, a body over the limit is 413 however it is sent, and the shared budgets
/// (decoded pixels, body bytes in flight; pixels per batch) answer 503 with Retry-After or 422, never wait.
/// </summary>
public sealed class UploadLimitTests : IClassFixture<UploadLimitTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        public ServiceFactory Factory { get; } = new(new Dictionary<string, string?>
        {
            ["Limits:MaxRequestBytes"] = "200000",
            ["Limits:MaxBodyBytesInFlight"] = "1000000",
            ["Limits:MaxBatchPixels"] = "40000000",
            ["Limits:MaxPixelsInFlight"] = "80000000",
        });

        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }

    private readonly Host _host;

    public UploadLimitTests(Host host) => _host = host;

    private HttpClient Client => _host.Client;

    private RequestBudgets Budgets => _host.Factory.Services.GetRequiredService<RequestBudgets>();

    private static ByteArrayContent Raw(byte[] bytes, string contentType = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    /// <summary>A multipart body written by hand, so that boundaries and headers .NET's writer refuses can be sent.</summary>
    private static ByteArrayContent Multipart(string boundary, IEnumerable<(string Headers, byte[] Body)> parts)
    {
        using var body = new MemoryStream();
        foreach (var (headers, bytes) in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\n{headers}\r\n\r\n"));
            body.Write(bytes);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        return content;
    }

    private static (string, byte[]) FilePart(string field, byte[] bytes, string name = "x.png") =>
        ($"Content-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: image/png", bytes);

    private async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync("/detect", Raw(TestImages.Png(32, 32)))).StatusCode);
        return problem;
    }

    [Fact]
    public async Task A_png_declaring_6324x6324_with_4_rows_of_data_is_400_naming_the_missing_rows() =>
        await AssertProblem(await Client.PostAsync("/detect", Raw(HostileImages.LyingPng(6324, 6324, rows: 4))),
            HttpStatusCode.BadRequest, "4 of 6324 rows");

    [Fact]
    public async Task A_jpeg_whose_frame_header_declares_6324x6324_over_a_tiny_scan_is_400() =>
        await AssertProblem(await Client.PostAsync("/detect", Raw(HostileImages.LyingJpeg(TestImages.Jpeg(16, 16), 6324, 6324), "image/jpeg")),
            HttpStatusCode.BadRequest, "truncated");

    [Fact]
    public async Task A_png_cut_at_half_is_400_in_a_batch_too()
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Png(64, 64)), "images", "ok.png" },
            { new ByteArrayContent(HostileImages.Cut(TestImages.Png(200, 150), 0.5)), "images", "cut.png" },
        };
        await AssertProblem(await Client.PostAsync("/detect/batch", form), HttpStatusCode.BadRequest, "Image 1");
    }

    [Fact]
    public async Task A_multipart_body_with_a_thousand_parts_is_400_too_many_parts()
    {
        var parts = Enumerable.Range(0, 1000).Select(i => ($"Content-Disposition: form-data; name=\"f{i}\"", new byte[] { 1 }));
        var problem = await AssertProblem(await Client.PostAsync("/detect", Multipart("b0undary", parts)), HttpStatusCode.BadRequest, "more than 64 parts");
        Assert.Equal("Too many parts", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_part_header_line_of_100_kilobytes_is_400_header_too_long()
    {
        var parts = new[] { ($"Content-Disposition: form-data; name=\"image\"; filename=\"{new string('a', 100_000)}.png\"", TestImages.Png(8, 8)) };
        var problem = await AssertProblem(await Client.PostAsync("/detect", Multipart("b0undary", parts)), HttpStatusCode.BadRequest, "16384");
        Assert.Equal("Multipart header too long", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_200_character_boundary_is_400_boundary_too_long()
    {
        var problem = await AssertProblem(
            await Client.PostAsync("/detect", Multipart(new string('b', 200), [FilePart("image", TestImages.Png(8, 8))])),
            HttpStatusCode.BadRequest, "200 characters");
        Assert.Equal("Multipart boundary too long", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_hand_written_multipart_image_is_read()
    {
        var response = await Client.PostAsync("/detect", Multipart("b0undary", [FilePart("other", [9, 9]), FilePart("image", TestImages.Png(40, 30))]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(40, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task A_body_over_the_limit_sent_chunked_is_413_raw_or_multipart()
    {
        var big = new byte[300_000];
        var raw = new StreamContent(new MemoryStream(big)); // no Content-Length: sent chunked
        raw.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        await AssertProblem(await Client.PostAsync("/detect", raw), HttpStatusCode.RequestEntityTooLarge, "200000");

        var form = new MultipartFormDataContent { { new StreamContent(new MemoryStream(big)), "images", "big.png" } };
        var chunked = new StreamContent(await form.ReadAsStreamAsync());
        chunked.Headers.ContentType = form.Headers.ContentType;
        await AssertProblem(await Client.PostAsync("/detect/batch", chunked), HttpStatusCode.RequestEntityTooLarge, "200000");
    }

    [Fact]
    public async Task A_batch_over_its_pixel_budget_is_422_naming_the_setting()
    {
        // Two complete 4000x6000 images (black, 70 KB each) are 48 million pixels; Limits:MaxBatchPixels is 40 million here.
        var black = HostileImages.LyingPng(4000, 6000, rows: 6000);
        var form = new MultipartFormDataContent();
        for (var i = 0; i < 2; i++) form.Add(new ByteArrayContent(black), "images", $"{i}.png");
        await AssertProblem(await Client.PostAsync("/detect/batch", form), HttpStatusCode.UnprocessableEntity, "Limits:MaxBatchPixels");
    }

    [Fact]
    public async Task Pixels_over_the_in_flight_budget_are_503_with_retry_after_and_fine_once_released()
    {
        var image = Raw(TestImages.Png(100, 100));
        using (Budgets.Pixels.TryLease(Budgets.Pixels.Limit - 9_999)!)
        {
            var response = await Client.PostAsync("/detect", Raw(TestImages.Png(100, 100)));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            Assert.Contains("Limits:MaxPixelsInFlight", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync("/detect", image)).StatusCode);
        Assert.Equal(0, Budgets.Pixels.InUse);
    }

    [Fact]
    public async Task Body_bytes_over_the_in_flight_budget_are_503_with_retry_after()
    {
        using (Budgets.BodyBytes.TryLease(Budgets.BodyBytes.Limit - 1000)!)
        {
            var response = await Client.PostAsync("/detect", Raw(TestImages.Png(100, 100)));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("Limits:MaxBodyBytesInFlight", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync("/detect", Raw(TestImages.Png(100, 100)))).StatusCode);
    }
}
