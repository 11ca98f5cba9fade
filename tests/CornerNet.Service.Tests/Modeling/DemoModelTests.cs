using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Model.Data;
using SixLabors.ImageSharp.Formats.Png;

namespace CornerNet.Service.Tests.Modeling;

/// <summary>Out of the box (appsettings.json as committed), the service serves the demo model and finds shapes.</summary>
public sealed class DemoModelTests
{
    [Fact]
    public async Task The_default_configuration_detects_synthetic_shapes()
    {
        await using var factory = new ServiceFactory(fixtureModel: false);
        using var client = await factory.CreateReadyClientAsync();
        var model = await client.GetFromJsonAsync<JsonElement>("/model");
        Assert.Equal("demo.pth", model.GetProperty("weightsFile").GetString());

        // Images the model never saw (a seed the training and evaluation sets did not use).
        var generator = new SyntheticShapesGenerator(new SyntheticShapesOptions { Seed = 77, MinImageSize = 128, MaxImageSize = 128 });
        int annotated = 0, found = 0;
        for (var index = 0; index < 10; index++)
        {
            using var scene = generator.Render(index);
            var content = new ByteArrayContent(TestImages.Encode(scene.Image, new PngEncoder()));
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var response = await (await client.PostAsync("/detect?scoreThreshold=0.3", content)).Content.ReadFromJsonAsync<JsonElement>();
            var detections = response.GetProperty("detections").EnumerateArray().ToList();
            foreach (var shape in scene.Shapes.Where(s => s.IsAnnotated))
            {
                annotated++;
                var truth = new[] { shape.Box.X, shape.Box.Y, shape.Box.Right, shape.Box.Bottom };
                var label = SyntheticShapesGenerator.Categories.Single(c => c.Id == shape.CategoryId).Name;
                if (detections.Any(d => d.GetProperty("label").GetString() == label
                                        && Iou(truth, d.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray()) >= 0.5))
                {
                    found++;
                }
            }
        }

        // The model card reports AP50 0.917 on held-out data; most shapes must be found with the right class.
        Assert.True(found >= 0.75 * annotated, $"found {found} of {annotated} shapes at IoU >= 0.5 with the right class");
    }

    private static double Iou(double[] a, double[] b)
    {
        var w = Math.Max(0, Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]));
        var h = Math.Max(0, Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]));
        var intersection = w * h;
        return intersection / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection);
    }
}
