using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace CornerNet.Service.Tests.Page;

/// <summary>A person's view: open the page in a real (headless) Chromium, pick an image, see the boxes.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
[Trait(TestCategories.Category, TestCategories.External)]
public sealed class BrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Picking_an_image_draws_one_box_per_detection_above_the_slider()
    {
        await using var factory = new ServiceFactory(realPort: true);
        using var client = await factory.CreateReadyClientAsync();
        var imagePath = RepositoryPaths.Fixture("pipeline", "images", "tall.png");
        var content = new ByteArrayContent(File.ReadAllBytes(imagePath));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var api = await (await client.PostAsync("/detect?scoreThreshold=0", content)).Content.ReadFromJsonAsync<JsonElement>();
        var scores = api.GetProperty("detections").EnumerateArray().Select(d => d.GetProperty("score").GetSingle()).ToList();

        await using var browser = await HeadlessChromium.LaunchAsync();
        await browser.NavigateAsync(client.BaseAddress!);
        Assert.Equal("CornerNet detection", (await browser.EvaluateAsync("document.title")).GetString());
        await browser.SetFileAsync("#file", imagePath);
        await browser.WaitForAsync("window.cornernet.completed === 1", TimeSpan.FromSeconds(60));
        Assert.Equal("", (await browser.EvaluateAsync("document.querySelector('#error').textContent")).GetString());

        var threshold = (float)(await browser.EvaluateAsync("parseFloat(document.querySelector('#threshold').value)")).GetDouble();
        var drawn = (await browser.EvaluateAsync("document.querySelectorAll('#overlay rect.box').length")).GetInt32();
        Assert.Equal(scores.Count(s => s >= threshold), drawn);
        Assert.Equal(drawn, (await browser.EvaluateAsync("document.querySelectorAll('#table tbody tr').length")).GetInt32());

        // The slider filters without a new request.
        var lower = (await browser.EvaluateAsync(
            "(() => { const s = document.querySelector('#threshold'); s.value = '0.05'; s.dispatchEvent(new Event('input')); return document.querySelectorAll('#overlay rect.box').length; })()")).GetInt32();
        Assert.Equal(scores.Count(s => s >= 0.05f), lower);
        Assert.NotEqual(drawn, lower);
        Assert.Equal(1, (await browser.EvaluateAsync("window.cornernet.completed")).GetInt32());

        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "detection-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await File.WriteAllBytesAsync(screenshot, await browser.ScreenshotAsync());
        output.WriteLine($"Screenshot: {screenshot}");
    }

    [Fact]
    public async Task The_page_sends_the_API_key_filled_in_and_runs_the_model_picked()
    {
        var settings = Modeling.MultiModelTests.TwoModelHost.Settings();
        foreach (var (key, value) in Security.TestKeys.Enabled()) settings[key] = value;
        await using var factory = new ServiceFactory(settings, realPort: true);
        using var client = await factory.CreateReadyClientAsync();

        await using var browser = await HeadlessChromium.LaunchAsync();
        await browser.NavigateAsync(client.BaseAddress!);
        await browser.EvaluateAsync(
            $"(() => {{ const k = document.querySelector('#api-key'); k.value = '{Security.TestKeys.Detect}'; k.dispatchEvent(new Event('change')); }})()");
        await browser.WaitForAsync("window.cornernet.models && window.cornernet.models.length === 2", TimeSpan.FromSeconds(30));
        await browser.EvaluateAsync("document.querySelector('#model').value = 'beta'");
        await browser.SetFileAsync("#file", RepositoryPaths.Fixture("pipeline", "images", "tall.png"));
        await browser.WaitForAsync("window.cornernet.completed === 1", TimeSpan.FromSeconds(60));

        Assert.Equal("", (await browser.EvaluateAsync("document.querySelector('#error').textContent")).GetString());
        Assert.Equal("beta", (await browser.EvaluateAsync("window.cornernet.model")).GetString());
        Assert.StartsWith("model beta, weights ", (await browser.EvaluateAsync("document.querySelector('#weights').textContent")).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_from_the_api_are_shown_readably()
    {
        await using var factory = new ServiceFactory(realPort: true);
        using var client = await factory.CreateReadyClientAsync();
        var notAnImage = Path.Combine(Path.GetTempPath(), $"not-an-image-{Guid.NewGuid():N}.png");
        await File.WriteAllTextAsync(notAnImage, "this is text, not a picture");
        try
        {
            await using var browser = await HeadlessChromium.LaunchAsync();
            await browser.NavigateAsync(client.BaseAddress!);
            await browser.SetFileAsync("#file", notAnImage);
            await browser.WaitForAsync("window.cornernet.completed === 1", TimeSpan.FromSeconds(60));
            var error = (await browser.EvaluateAsync("document.querySelector('#error').textContent")).GetString();
            Assert.StartsWith("400", error);
            Assert.Contains("not an image", error);
            Assert.Equal(0, (await browser.EvaluateAsync("document.querySelectorAll('#overlay rect.box').length")).GetInt32());
        }
        finally
        {
            File.Delete(notAnImage);
        }
    }
}
