using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Data;
using CornerNet.Model.Inference;
using CornerNet.Model.Inference.Saccade;
using Xunit.Abstractions;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// models/saccade-demo.pth, the saccade-family model trained here on the synthetic shapes (models/README.md), finds the
/// shapes of held-out images through CornerNet-Saccade's test procedure.
/// </summary>
public sealed class SaccadeDemoModelTests(ITestOutputHelper output)
{
    [Fact]
    public void The_saccade_demo_model_finds_the_shapes_of_held_out_images()
    {
        // A seed neither the training set (1) nor the evaluation set (2) of the model card used.
        var folder = Directory.CreateTempSubdirectory("saccade-demo");
        try
        {
            var dataset = new SyntheticShapesGenerator(new SyntheticShapesOptions { ImageCount = 6, Seed = 93, MinImageSize = 128, MaxImageSize = 128 })
                .Generate(folder.FullName);
            using var network = ModelCheckpoint.Load(Path.Combine(RepositoryPaths.Root, "models", "saccade-demo.pth"));
            Assert.Equal(NetworkFamily.Saccade, network.Spec.Family);
            network.PrepareForInference(InferenceTuning.Default);
            var detector = new SaccadeDetector(network);
            var loader = new ImageLoader();
            var images = dataset.Images.Select(i => loader.Load(File.ReadAllBytes(Path.Combine(folder.FullName, i.FileName)), bgr: true)).ToList();
            var result = detector.Detect(images);

            var detections = dataset.Images.Zip(result.Images).SelectMany(p => p.Second.Select(d =>
                new CocoDetection(p.First.Id, dataset.CategoryId(d.ClassIndex), new CocoBox(d.X1, d.Y1, d.X2 - d.X1, d.Y2 - d.Y1), d.Score)));
            var summary = new CocoEvaluator(dataset).Evaluate(detections).Summary;
            output.WriteLine($"{dataset.Annotations.Count} shapes in {images.Count} images, crops per image {string.Join(", ", result.Crops!)}: AP {summary.AveragePrecision:F3}, AP50 {summary.AveragePrecision50:F3}");
            Assert.True(result.Crops!.Sum() > 0, "the procedure took no zoom crops");
            Assert.True(summary.AveragePrecision50 > 0.45, $"AP50 {summary.AveragePrecision50:F3}");
            Assert.True(summary.AveragePrecision > 0.25, $"AP {summary.AveragePrecision:F3}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
