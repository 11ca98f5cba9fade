using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Service.Tests.Api;

/// <summary>GIF is opt-in (Limits:ImageFormats); when on, an animation is detected on its first frame.</summary>
public sealed class ImageFormatTests
{
    [Fact]
    public async Task Enabled_gif_is_detected_on_its_first_frame()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?> { ["Limits:ImageFormats:4"] = "gif" });
        using var client = await factory.CreateReadyClientAsync();

        using var animation = TestImages.Pattern(40, 30, seed: 1);
        using (var second = TestImages.Pattern(40, 30, seed: 9))
        {
            animation.Frames.AddFrame(second.Frames.RootFrame);
        }

        var gif = TestImages.Encode(animation, new GifEncoder());
        // The same pixels as the GIF's (palette-quantised) first frame, as a PNG.
        using var firstFrame = Image.Load<Rgb24>(gif);
        while (firstFrame.Frames.Count > 1) firstFrame.Frames.RemoveFrame(1);
        var png = TestImages.Encode(firstFrame, new PngEncoder());

        var fromGif = await DetectAsync(client, gif);
        var fromPng = await DetectAsync(client, png);
        Assert.Equal(40, fromGif.GetProperty("width").GetInt32());
        DetectApiTests.AssertSameDetections(fromPng.GetProperty("detections"), fromGif.GetProperty("detections"));
    }

    private static async Task<JsonElement> DetectAsync(HttpClient client, byte[] image)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var response = await client.PostAsync("/detect", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
