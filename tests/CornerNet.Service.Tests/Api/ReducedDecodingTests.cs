using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OpenCvSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace CornerNet.Service.Tests.Api;

/// <summary>
/// Limits:MaxInferenceSide: a large JPEG is decoded reduced by libjpeg (never held at full size), and its detections
/// come back in the pixels of the image sent.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class ReducedDecodingTests
{
    private static async Task<JsonElement> DetectAsync(HttpClient client, byte[] image, string contentType)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await client.PostAsync("/detect", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<(int Class, float Score, float[] Box)> Detections(JsonElement response) =>
    [
        .. response.GetProperty("detections").EnumerateArray().Select(d => (
            d.GetProperty("classIndex").GetInt32(),
            d.GetProperty("score").GetSingle(),
            d.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray())),
    ];

    [Fact]
    public async Task A_large_JPEG_is_decoded_at_a_quarter_of_its_size_and_its_boxes_are_mapped_back_to_its_own_pixels()
    {
        // A 12-megapixel photo-sized JPEG whose structure is coarse enough for the fixture network to find boxes in at a
        // quarter of its size (a fine pattern, its blocks 4 pixels wide once reduced, gets none from the random weights).
        using var picture = TestImages.Pattern(1000, 750, seed: 5);
        picture.Mutate(x => x.Resize(4000, 3000, KnownResamplers.NearestNeighbor));
        var jpeg = TestImages.Encode(picture, new JpegEncoder { Quality = 90 });
        await using var factory = new ServiceFactory(new Dictionary<string, string?> { ["Limits:MaxInferenceSide"] = "1000" });
        using var client = await factory.CreateReadyClientAsync();

        var large = await DetectAsync(client, jpeg, "image/jpeg");

        Assert.Equal(4000, large.GetProperty("width").GetInt32());
        Assert.Equal(3000, large.GetProperty("height").GetInt32());

        // The pixels libjpeg gives at a quarter of the size (cv2.imread's IMREAD_REDUCED_COLOR_4: 4000 / 4 is the
        // smallest reduction keeping 1000 pixels), sent losslessly: the network must see exactly these.
        using var quarter = Cv2.ImDecode(jpeg, ImreadModes.ReducedColor4);
        Assert.Equal((1000, 750), (quarter.Cols, quarter.Rows));
        var small = await DetectAsync(client, quarter.ImEncode(".png"), "image/png");
        Assert.Equal(1000, small.GetProperty("width").GetInt32());

        var expected = Detections(small);
        var actual = Detections(large);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Class, actual[i].Class);
            Assert.Equal(expected[i].Score, actual[i].Score);
            for (var c = 0; c < 4; c++) Assert.Equal(expected[i].Box[c] * 4, actual[i].Box[c], 1e-3f);
        }

        // Drawn, it comes back at the size it was decoded at.
        var annotatedContent = new ByteArrayContent(jpeg);
        annotatedContent.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var annotated = await client.PostAsync("/detect/annotated?format=jpeg", annotatedContent);
        Assert.Equal(HttpStatusCode.OK, annotated.StatusCode);
        var size = SixLabors.ImageSharp.Image.Identify(await annotated.Content.ReadAsByteArrayAsync())!;
        Assert.Equal((1000, 750), (size.Width, size.Height));
    }

    [Fact]
    public async Task A_JPEG_under_twice_the_limit_and_a_large_PNG_are_decoded_at_full_size()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?> { ["Limits:MaxInferenceSide"] = "1000" });
        using var client = await factory.CreateReadyClientAsync();

        foreach (var (image, type) in new[] { (TestImages.Jpeg(1900, 1400, seed: 6), "image/jpeg"), (TestImages.Png(2400, 1800, seed: 7), "image/png") })
        {
            var content = new ByteArrayContent(image);
            content.Headers.ContentType = new MediaTypeHeaderValue(type);
            using var annotated = await client.PostAsync("/detect/annotated?format=jpeg", content);
            Assert.Equal(HttpStatusCode.OK, annotated.StatusCode);
            var source = SixLabors.ImageSharp.Image.Identify(image)!;
            var size = SixLabors.ImageSharp.Image.Identify(await annotated.Content.ReadAsByteArrayAsync())!;
            Assert.Equal((source.Width, source.Height), (size.Width, size.Height));
        }
    }
}
