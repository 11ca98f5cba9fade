using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Service.Annotation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Service.Tests.Page;

public sealed class AnnotatedImageTests : IClassFixture<ReadyServiceHost>
{
    private readonly HttpClient _client;

    public AnnotatedImageTests(ReadyServiceHost host) => _client = host.Client;

    private static ByteArrayContent Png(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task The_image_keeps_its_size_and_changes_exactly_along_the_box_edges()
    {
        var input = TestImages.Png(150, 97, seed: 4);
        const string query = "scoreThreshold=0.4&maxDetections=5";
        var json = await (await _client.PostAsync($"/detect?{query}", Png(input))).Content.ReadFromJsonAsync<JsonElement>();
        var boxes = json.GetProperty("detections").EnumerateArray()
            .Select(d => d.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToList();
        Assert.NotEmpty(boxes);

        var response = await _client.PostAsync($"/detect/annotated?{query}", Png(input));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var annotated = Image.Load<Rgb24>(await response.Content.ReadAsByteArrayAsync());
        using var original = Image.Load<Rgb24>(input);
        Assert.Equal(original.Width, annotated.Width);
        Assert.Equal(original.Height, annotated.Height);

        var onEdge = new bool[original.Width, original.Height];
        foreach (var box in boxes)
        {
            var (left, top, right, bottom) = BoxPainter.PixelBounds(box, original.Width, original.Height);
            for (var y = top; y <= bottom; y++)
            for (var x = left; x <= right; x++)
            {
                onEdge[x, y] |= y < top + BoxPainter.Thickness || y > bottom - BoxPainter.Thickness
                                || x < left + BoxPainter.Thickness || x > right - BoxPainter.Thickness;
            }
        }

        int changedOnEdge = 0, edgePixels = 0;
        for (var y = 0; y < original.Height; y++)
        for (var x = 0; x < original.Width; x++)
        {
            var changed = !original[x, y].Equals(annotated[x, y]);
            Assert.False(changed && !onEdge[x, y], $"pixel ({x}, {y}) changed but is on no box edge");
            if (onEdge[x, y])
            {
                edgePixels++;
                if (changed) changedOnEdge++;
            }
        }

        // An edge pixel keeps its value only where the image already had the box's colour there.
        Assert.True(changedOnEdge > edgePixels * 0.95, $"only {changedOnEdge} of {edgePixels} edge pixels changed");
    }

    [Fact]
    public async Task Jpeg_is_returned_when_asked_for()
    {
        var byQuery = await _client.PostAsync("/detect/annotated?format=jpeg", Png(TestImages.Png(64, 48)));
        Assert.Equal("image/jpeg", byQuery.Content.Headers.ContentType?.MediaType);
        Assert.Equal(64, Image.Identify(await byQuery.Content.ReadAsByteArrayAsync())!.Width);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/detect/annotated") { Content = Png(TestImages.Png(64, 48)) };
        request.Headers.Accept.ParseAdd("image/jpeg");
        var byAccept = await _client.SendAsync(request);
        Assert.Equal("image/jpeg", byAccept.Content.Headers.ContentType?.MediaType);

        var bad = await _client.PostAsync("/detect/annotated?format=tiff", Png(TestImages.Png(8, 8)));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_page_is_served_at_the_root_and_links_to_swagger()
    {
        var page = await _client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("href=\"swagger/\"", html);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/app.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/app.css")).StatusCode);
    }
}
