using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Data;
using CornerNet.Model.Inference;
using CornerNet.Training.Commands;
using static TorchSharp.torch;

namespace CornerNet.Training.Tests.Commands;

public class EvaluateCommandTests
{
    [Fact]
    public void Scoring_the_ground_truth_as_detections_gives_perfect_ap()
    {
        var folder = TrainingFixtures.NewFolder("eval-score");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 3);
        var dataset = CocoDataset.Load(annotations);
        var results = Path.Combine(folder, "results.json");
        CocoResults.Save(results, dataset.Annotations.Select(a => new CocoDetection(a.ImageId, a.CategoryId, a.Box, 0.9)));

        var printed = new StringWriter();
        var evaluation = EvaluateCommand.Score(annotations, results, printed);

        Assert.Equal(1.0, evaluation.Summary.AveragePrecision50, 6);
        Assert.Equal(1.0, evaluation.Summary.AveragePrecision, 6);
        Assert.Equal(12, printed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Detecting_with_saved_weights_writes_results_and_prints_the_summary()
    {
        var folder = TrainingFixtures.NewFolder("eval-detect");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 2);
        var weights = Path.Combine(folder, "micro.pth");
        manual_seed(1);
        using (var network = new CornerNetNetwork(TrainingFixtures.Micro))
        {
            ModelCheckpoint.Save(network, weights);
        }

        var results = Path.Combine(folder, "results.json");
        var printed = new StringWriter();
        EvaluateCommand.Detect(weights, null, annotations, null, results, new DetectorOptions { Flip = false }, printed);

        Assert.True(File.Exists(results));
        Assert.Contains("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]", printed.ToString());
    }

    [Fact]
    public void A_saccade_model_is_evaluated_with_the_saccade_test_procedure()
    {
        var folder = TrainingFixtures.NewFolder("eval-saccade");
        // Held-out images like the saccade demo model's evaluation set (seed 2, 128x128), four of them.
        var dataset = new SyntheticShapesGenerator(new SyntheticShapesOptions { ImageCount = 4, Seed = 2, MinImageSize = 128, MaxImageSize = 128 })
            .Generate(folder);
        var annotations = Path.Combine(folder, SyntheticShapesGenerator.AnnotationsFileName);
        var weights = Path.Combine(RepositoryPaths.Root, "models", "saccade-demo.pth");
        var results = Path.Combine(folder, "results.json");

        var printed = new StringWriter();
        var evaluation = EvaluateCommand.Detect(weights, null, annotations, null, results, new DetectorOptions(), printed);

        Assert.Contains("CornerNet-Saccade test procedure", printed.ToString());
        // The same detections as the saccade detector gives image by image (with its family's settings).
        using var network = ModelCheckpoint.Load(weights);
        network.PrepareForInference(InferenceTuning.Default);
        var detector = new CornerNet.Model.Inference.Saccade.SaccadeDetector(network);
        var loader = new ImageLoader();
        var expected = dataset.Images.SelectMany(image => detector.Detect(loader.Load(File.ReadAllBytes(Path.Combine(folder, image.FileName)), bgr: true))
            .Select(d => (image.Id, Math.Round(d.X1, 2), Math.Round(d.Y1, 2), Math.Round(d.Score, 4)))).ToList();
        var written = CocoResults.Load(results).Detections.Select(d => (d.ImageId, d.Box.X, d.Box.Y, d.Score)).ToList();
        Assert.Equal(expected.Count, written.Count);
        Assert.Equal(expected.Order(), written.Order());
        Assert.True(evaluation.Summary.AveragePrecision50 > 0.3, $"AP50 {evaluation.Summary.AveragePrecision50}");
    }

    [Fact]
    [Trait(TestCategories.Category, TestCategories.Slow)]
    public void Bf16_keeps_the_demo_models_ap_within_a_hundredth_of_fp32()
    {
        var folder = TrainingFixtures.NewFolder("eval-precision");
        // Held-out images like the model card's evaluation set (seed 2, 128x128), fewer of them.
        new SyntheticShapesGenerator(new SyntheticShapesOptions { ImageCount = 40, Seed = 2, MinImageSize = 128, MaxImageSize = 128 })
            .Generate(folder);
        var annotations = Path.Combine(folder, SyntheticShapesGenerator.AnnotationsFileName);
        var weights = Path.Combine(RepositoryPaths.Root, "models", "demo.pth");

        var fp32Printed = new StringWriter();
        var fp32 = EvaluateCommand.Detect(weights, null, annotations, null, null, new DetectorOptions(), fp32Printed);
        var bf16Printed = new StringWriter();
        var bf16 = EvaluateCommand.Detect(weights, null, annotations, null, null, new DetectorOptions(), bf16Printed,
            new InferenceTuning { Precision = InferencePrecision.Bf16 });

        Assert.Contains("(fp32, channels-last, BatchNorm folded", fp32Printed.ToString());
        Assert.Contains("(bf16, channels-last, BatchNorm folded", bf16Printed.ToString());
        Assert.True(fp32.Summary.AveragePrecision > 0.6, $"fp32 AP {fp32.Summary.AveragePrecision}");
        Assert.Equal(fp32.Summary.AveragePrecision, bf16.Summary.AveragePrecision, 0.01);
    }
}
