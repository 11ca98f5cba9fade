using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Model.Inference;
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
    public async Task The_image_keeps_its_size_and_changes_only_along_the_box_edges_and_under_the_labels()
    {
        var input = TestImages.Png(150, 97, seed: 4);
        const string query = "scoreThreshold=0.4&maxDetections=5";
        var json = await (await _client.PostAsync($"/detect?{query}", Png(input))).Content.ReadFromJsonAsync<JsonElement>();
        var detections = json.GetProperty("detections").EnumerateArray()
            .Select(d =>
            {
                var box = d.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                return new Detection(d.GetProperty("classIndex").GetInt32(), d.GetProperty("label").GetString()!, d.GetProperty("score").GetSingle(),
                    box[0], box[1], box[2], box[3]);
            })
            .ToList();
        Assert.NotEmpty(detections);

        var response = await _client.PostAsync($"/detect/annotated?{query}", Png(input));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var annotated = Image.Load<Rgb24>(await response.Content.ReadAsByteArrayAsync());
        using var original = Image.Load<Rgb24>(input);
        Assert.Equal(original.Width, annotated.Width);
        Assert.Equal(original.Height, annotated.Height);

        var tags = BoxPainter.LayOutLabels(original.Width, original.Height, detections);
        Assert.Equal(detections.Count, tags.Count);
        var underLabel = new bool[original.Width, original.Height];
        foreach (var tag in tags)
        {
            for (var y = tag.Top; y < Math.Min(original.Height, tag.Top + tag.Height); y++)
            for (var x = tag.Left; x < Math.Min(original.Width, tag.Left + tag.Width); x++)
            {
                underLabel[x, y] = true;
            }
        }

        var onEdge = new bool[original.Width, original.Height];
        foreach (var box in detections)
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
            Assert.False(changed && !onEdge[x, y] && !underLabel[x, y], $"pixel ({x}, {y}) changed but is on no box edge and under no label");
            if (onEdge[x, y] && !underLabel[x, y])
            {
                edgePixels++;
                if (changed) changedOnEdge++;
            }
        }

        // An edge pixel keeps its value only where the image already had the box's colour there.
        Assert.True(changedOnEdge > edgePixels * 0.95, $"only {changedOnEdge} of {edgePixels} edge pixels changed");

        // The last label drawn is on top of any other: its tag is the class colour with text in black or white.
        var last = tags[^1];
        Assert.StartsWith(detections[^1].Label + " 0.", last.Text);
        var fill = BoxPainter.ClassColour(last.ClassIndex);
        var ink = BoxPainter.TextColour(fill);
        int fillPixels = 0, inkPixels = 0, area = 0;
        for (var y = last.Top; y < Math.Min(original.Height, last.Top + last.Height); y++)
        for (var x = last.Left; x < Math.Min(original.Width, last.Left + last.Width); x++)
        {
            area++;
            var p = annotated[x, y];
            if (p.Equals(fill)) fillPixels++;
            else if (Distance(p, ink) < Distance(p, fill)) inkPixels++; // anti-aliased text: nearer the ink
        }

        Assert.True(fillPixels > area / 2, $"{fillPixels} of {area} tag pixels have the class colour");
        Assert.True(inkPixels > area / 40, $"{inkPixels} of {area} tag pixels are text");
    }

    private static int Distance(Rgb24 a, Rgb24 b) => Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);

    [Theory]
    [InlineData(40, 30, 11)]
    [InlineData(640, 480, 14)]
    [InlineData(4000, 3000, 88)]
    public void Label_text_grows_with_the_image_and_never_gets_too_small_to_read(int width, int height, int textHeight)
    {
        Assert.Equal(textHeight, BoxPainter.TextHeight(width, height));
        var tag = Assert.Single(BoxPainter.LayOutLabels(width, height, [new Detection(1, "triangle", 0.876f, width / 4f, height / 2f, width / 2f, height - 1f)]));
        Assert.Equal("triangle 0.88", tag.Text);
        Assert.InRange(tag.Height, textHeight + 4, textHeight * 2 + 4); // text, its descender room and padding
        int boxTop = height / 2;
        Assert.True(tag.Top + tag.Height <= boxTop || (tag.Top <= boxTop && tag.Top + tag.Height <= height),
            $"tag rows {tag.Top}..{tag.Top + tag.Height}: above the box (top {boxTop}), else from the box's top or higher, inside the image");
        Assert.True(tag.Left >= 0 && (tag.Left + tag.Width <= width || tag.Left == 0), "the tag stays inside the image");
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
