using System.Text.Json;
using CornerNet.Model.Data;

namespace CornerNet.Model.Tests.Data;

/// <summary>Our COCO bbox evaluation against numbers and printouts produced by pycocotools (see tests/fixtures/coco/README.md).</summary>
public sealed class CocoEvaluatorTests
{
    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (string folder in Directory.GetDirectories(RepositoryPaths.Fixture("coco", "cases")).Order(StringComparer.Ordinal))
        {
            cases.Add(Path.GetFileName(folder));
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Summary_matches_pycocotools(string caseName)
    {
        var (evaluation, expectedStats, _) = EvaluateCase(caseName);

        double[] actual = evaluation.Summary.ToArray();
        Assert.Equal(12, expectedStats.Length);
        for (int i = 0; i < 12; i++)
        {
            // Same operations in the same order as NumPy, so the numbers agree to the last bit.
            Assert.True(
                expectedStats[i] == actual[i],
                $"{caseName} stat {i}: pycocotools {expectedStats[i]:R}, ours {actual[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Printed_summary_matches_pycocotools(string caseName)
    {
        var (evaluation, _, expectedLines) = EvaluateCase(caseName);

        Assert.Equal(expectedLines, evaluation.SummaryLines);
    }

    [Fact]
    public void Thresholds_equal_numpy_linspace()
    {
        // repr() of np.linspace(.5, .95, 10): note 0.8999999999999999.
        double[] expected = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95];
        Assert.Equal(expected, CocoEvaluator.IouThresholds);
        Assert.Equal(101, CocoEvaluator.RecallThresholds.Count);
        Assert.Equal(0.01, CocoEvaluator.RecallThresholds[1]);
        Assert.Equal(1.0, CocoEvaluator.RecallThresholds[100]);
    }

    [Fact]
    public void Crowd_iou_uses_the_detection_area_as_union()
    {
        var crowd = new CocoBox(0, 0, 100, 100);
        var detection = new CocoBox(50, 50, 100, 100);

        Assert.Equal(0.25, CocoEvaluator.BoxIou(detection, crowd, groundTruthIsCrowd: true));
        Assert.Equal(2500.0 / 17500.0, CocoEvaluator.BoxIou(detection, crowd, groundTruthIsCrowd: false));
        Assert.Equal(0.0, CocoEvaluator.BoxIou(new CocoBox(100, 0, 10, 10), crowd, false));
    }

    [Theory]
    [InlineData(0.0625, "0.062")]
    [InlineData(0.1875, "0.188")]
    [InlineData(0.9995, "1.000")]
    [InlineData(0.12345, "0.123")]
    [InlineData(-1.0, "-1.000")]
    [InlineData(1.0, "1.000")]
    public void Summary_values_round_like_python(double value, string expected) =>
        Assert.Equal(expected, PythonCompatibleMath.FormatThreeDecimals(value));

    [Fact]
    public void Per_category_precision_is_exposed()
    {
        var (evaluation, _, _) = EvaluateCase("multi_category");

        // Categories 1, 3, 5, 7 in id order: c5 was never detected, c7 has no ground truth.
        Assert.Equal([1L, 3L, 5L, 7L], evaluation.CategoryIds);
        Assert.Equal(0.0, evaluation.CategoryAveragePrecision(2));
        Assert.Equal(-1.0, evaluation.CategoryAveragePrecision(3));
        // pycocotools divides by tp + fp + np.spacing(1), so one true positive gives 1 / (1 + 2^-52), not 1.
        Assert.Equal(1.0 / (1.0 + Math.ScaleB(1.0, -52)), evaluation.Precision(0, 0, 0, 0, 2));
        Assert.Equal(0.5, evaluation.Recall(0, 1, 0, 2));
    }

    [Fact]
    public void Detection_on_unknown_image_is_rejected()
    {
        var dataset = new CocoDataset(
            [new CocoImage(1, "a.png", 10, 10)],
            [new CocoAnnotation(1, 1, 1, new CocoBox(0, 0, 5, 5), 25, false)],
            [new CocoCategory(1, "a")]);

        var error = Assert.Throws<ArgumentException>(() =>
            new CocoEvaluator(dataset).Evaluate([new CocoDetection(2, 1, new CocoBox(0, 0, 5, 5), 0.5)]));
        Assert.Contains("image id 2", error.Message);
    }

    [Fact]
    public void Results_file_round_trips()
    {
        var (_, detectionsPath) = CasePaths("random");
        var results = CocoResults.Load(detectionsPath);
        string copy = Path.Combine(Path.GetTempPath(), $"coco-results-{Guid.NewGuid():N}.json");
        try
        {
            results.Save(copy);
            Assert.Equal(results.Detections, CocoResults.Load(copy).Detections);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private static (string GroundTruth, string Detections) CasePaths(string caseName) =>
        (RepositoryPaths.Fixture("coco", "cases", caseName, "ground_truth.json"),
         RepositoryPaths.Fixture("coco", "cases", caseName, "detections.json"));

    private static (CocoEvaluation Evaluation, double[] Stats, string[] Lines) EvaluateCase(string caseName)
    {
        var (groundTruthPath, detectionsPath) = CasePaths(caseName);
        var evaluation = new CocoEvaluator(CocoDataset.Load(groundTruthPath)).Evaluate(CocoResults.Load(detectionsPath));

        using var reference = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("coco", "cases", caseName, "pycocotools.json")));
        double[] stats = [.. reference.RootElement.GetProperty("stats").EnumerateArray().Select(e => e.GetDouble())];
        string[] lines = [.. reference.RootElement.GetProperty("summary").EnumerateArray().Select(e => e.GetString()!)];
        return (evaluation, stats, lines);
    }
}
