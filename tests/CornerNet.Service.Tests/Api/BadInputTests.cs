using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Service.Tests.Api;

/// <summary>Everything a client can send wrong gets a problem document with the right 4xx, and the service goes on.</summary>
public sealed class BadInputTests : IClassFixture<BadInputTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        public ServiceFactory Factory { get; } = new(new Dictionary<string, string?> { ["Limits:MaxRequestBytes"] = "200000" });

        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }

    private readonly HttpClient _client;

    public BadInputTests(Host host) => _client = host.Client;

    private static ByteArrayContent Raw(byte[] bytes, string contentType = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? detailContains = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        if (detailContains is not null)
        {
            Assert.Contains(detailContains, problem.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        // The service keeps serving after every bad request.
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/detect", Raw(TestImages.Png(32, 32)))).StatusCode);
        return problem;
    }

    [Fact]
    public async Task Empty_body_is_400() =>
        await AssertProblem(await _client.PostAsync("/detect", Raw([])), HttpStatusCode.BadRequest, "image");

    [Fact]
    public async Task An_image_declared_as_a_url_encoded_form_is_read_as_the_raw_body()
    {
        // What curl --data-binary sends without -H Content-Type.
        var response = await _client.PostAsync("/detect", Raw(TestImages.Png(48, 40), "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(48, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task A_batch_sent_as_a_url_encoded_form_is_415() =>
        await AssertProblem(
            await _client.PostAsync("/detect/batch", Raw(TestImages.Png(8, 8), "application/x-www-form-urlencoded")),
            HttpStatusCode.UnsupportedMediaType, "multipart/form-data");

    [Fact]
    public async Task Multipart_without_the_image_field_is_400()
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png(8, 8)), "picture", "a.png" } };
        await AssertProblem(await _client.PostAsync("/detect", form), HttpStatusCode.BadRequest, "'image'");
    }

    [Theory]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=xyz")]
    public async Task Malformed_multipart_is_400(string contentType)
    {
        var content = new ByteArrayContent("--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n\u0089PNG"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        await AssertProblem(await _client.PostAsync("/detect", content), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Random_bytes_labelled_as_an_image_are_refused()
    {
        var random = new byte[5000];
        new Random(7).NextBytes(random);
        var response = await _client.PostAsync("/detect", Raw(random, "image/jpeg"));
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.UnsupportedMediaType });
        await AssertProblem(response, response.StatusCode);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    public async Task Truncated_images_are_400(string format)
    {
        var whole = format == "png" ? TestImages.Png(120, 90) : TestImages.Jpeg(120, 90);
        var truncated = whole[..(whole.Length / 2)];
        await AssertProblem(await _client.PostAsync("/detect", Raw(truncated)), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_jpeg_followed_by_extra_bytes_is_read_up_to_its_end_marker()
    {
        var jpeg = File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "images", "q075.jpg"));
        var withTail = jpeg.Concat(File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "images", "q010.jpg"))).Concat(new byte[777]).ToArray();
        var alone = await Detect(jpeg);
        var followed = await Detect(withTail);
        Assert.Equal(alone.GetProperty("detections").ToString(), followed.GetProperty("detections").ToString());
    }

    [Fact]
    public async Task A_jpeg_with_a_broken_frame_header_is_400()
    {
        var jpeg = File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "images", "q075.jpg"));
        int sof = jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]);
        jpeg[sof + 9] = 7; // 7 components where 3 are declared by the segment's length
        await AssertProblem(await _client.PostAsync("/detect", Raw(jpeg, "image/jpeg")), HttpStatusCode.BadRequest, "JPEG");
    }

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        var big = new byte[300_000];
        await AssertProblem(await _client.PostAsync("/detect", Raw(big)), HttpStatusCode.RequestEntityTooLarge, "200000");
        var form = new MultipartFormDataContent { { new ByteArrayContent(big), "image", "big.png" } };
        await AssertProblem(await _client.PostAsync("/detect", form), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Huge_dimensions_are_422_before_any_pixel_is_decoded()
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var response = await _client.PostAsync("/detect", Raw(PngHeaderOnly(60000, 60000)));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await AssertProblem(response, HttpStatusCode.UnprocessableEntity, "60000");
        Assert.True(allocated < 100_000_000, $"{allocated:N0} bytes were allocated for a header-only image");
    }

    [Fact]
    public async Task A_side_over_the_limit_is_422_too() =>
        await AssertProblem(await _client.PostAsync("/detect", Raw(PngHeaderOnly(20000, 1))), HttpStatusCode.UnprocessableEntity, "16384");

    [Theory]
    [InlineData("scoreThreshold=2")]
    [InlineData("scoreThreshold=-0.1")]
    [InlineData("scoreThreshold=abc")]
    [InlineData("maxDetections=0")]
    [InlineData("maxDetections=101")]
    [InlineData("classes=unicorn")]
    [InlineData("classes=3")]
    public async Task Bad_query_values_are_400(string query) =>
        await AssertProblem(await _client.PostAsync($"/detect?{query}", Raw(TestImages.Png(16, 16))), HttpStatusCode.BadRequest);

    [Fact]
    public async Task Gif_is_off_by_default()
    {
        using var image = TestImages.Pattern(40, 30);
        var gif = TestImages.Encode(image, new GifEncoder());
        await AssertProblem(await _client.PostAsync("/detect", Raw(gif, "image/gif")), HttpStatusCode.UnsupportedMediaType, "gif");
    }

    [Fact]
    public async Task Batch_that_is_not_multipart_is_415_and_too_many_images_400()
    {
        await AssertProblem(await _client.PostAsync("/detect/batch", Raw(TestImages.Png(8, 8))), HttpStatusCode.UnsupportedMediaType);
        var form = new MultipartFormDataContent();
        for (var i = 0; i < 17; i++) form.Add(new ByteArrayContent(TestImages.Png(8, 8)), "images", $"{i}.png");
        await AssertProblem(await _client.PostAsync("/detect/batch", form), HttpStatusCode.BadRequest, "16");
    }

    [Fact]
    public async Task A_bad_image_in_a_batch_is_named_by_its_index()
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Png(8, 8)), "images", "ok.png" },
            { new ByteArrayContent([1, 2, 3, 4, 5, 6, 7, 8, 9]), "images", "bad.png" },
        };
        await AssertProblem(await _client.PostAsync("/detect/batch", form), (await _client.PostAsync("/detect", Raw([1, 2, 3, 4, 5, 6, 7, 8, 9]))).StatusCode, "Image 1");
    }

    [Fact]
    public async Task Unknown_routes_and_methods_are_problems_too()
    {
        var missing = await _client.GetAsync("/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var wrongMethod = await _client.GetAsync("/detect");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    // Unusual but valid images decode and are detected in the right coordinates.

    [Fact]
    public async Task One_pixel_image_works()
    {
        using var image = new Image<Rgb24>(1, 1);
        var json = await Detect(TestImages.Encode(image, new PngEncoder()));
        Assert.Equal(1, json.GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task Grayscale_sixteen_bit_and_cmyk_images_work()
    {
        using var gray = new Image<L8>(50, 40);
        Assert.Equal(50, (await Detect(TestImages.Encode(gray, new PngEncoder()))).GetProperty("width").GetInt32());

        using var deep = new Image<Rgb48>(30, 20);
        var png16 = TestImages.Encode(deep, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });
        Assert.Equal(30, (await Detect(png16)).GetProperty("width").GetInt32());

        var cmyk = File.ReadAllBytes(RepositoryPaths.Fixture("images", "cmyk.jpg"));
        var json = await Detect(cmyk);
        Assert.Equal(96, json.GetProperty("width").GetInt32());
        Assert.Equal(64, json.GetProperty("height").GetInt32());
    }

    [Fact]
    public async Task Exif_rotated_jpeg_reports_rotated_size_and_boxes_inside_it()
    {
        using var image = TestImages.Pattern(120, 60);
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // rotate 90° clockwise to display
        var json = await Detect(TestImages.Encode(image, new JpegEncoder { Quality = 95 }));
        Assert.Equal(60, json.GetProperty("width").GetInt32());
        Assert.Equal(120, json.GetProperty("height").GetInt32());
        foreach (var detection in json.GetProperty("detections").EnumerateArray())
        {
            var box = detection.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.True(box[2] <= 60 && box[3] <= 120, $"box {string.Join(",", box)} is outside the rotated 60x120 image");
        }
    }

    private async Task<JsonElement> Detect(byte[] image)
    {
        var response = await _client.PostAsync("/detect", Raw(image, "application/octet-stream"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A valid PNG signature, IHDR for the given size and an empty IDAT: all a decoder needs to identify it.</summary>
    private static byte[] PngHeaderOnly(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        WriteChunk(stream, "IHDR", ihdr);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(new byte[16]);
            WriteChunk(stream, "IDAT", compressed.ToArray());
        }

        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }

        return ~crc;
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = Crc32([.. typeBytes, .. data]);
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        stream.Write(crcBytes);
    }
}
