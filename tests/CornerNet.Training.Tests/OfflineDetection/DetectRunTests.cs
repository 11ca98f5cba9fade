using CornerNet.Model.Data;
using CornerNet.Model.Inference;
using CornerNet.Training.OfflineDetection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Training.Tests.OfflineDetection;

/// <summary>The detect run in process, with the demo model (small) on synthetic shapes images.</summary>
public class DetectRunTests
{
    /// <summary>The demo weights and a folder of <paramref name="images"/> 128x128 shapes images like its model card's.</summary>
    internal static (string Weights, string Images) DemoSet(string purpose, int images)
    {
        var folder = TrainingFixtures.NewFolder(purpose);
        new SyntheticShapesGenerator(new SyntheticShapesOptions { ImageCount = images, Seed = 2, MinImageSize = 128, MaxImageSize = 128 })
            .Generate(Path.Combine(folder, "data"));
        return (Path.Combine(RepositoryPaths.Root, "models", "demo.pth"), Path.Combine(folder, "data", "images"));
    }

    private static DetectSettings Settings(string weights, string images, string output) => new()
    {
        WeightsPath = weights,
        Images = images,
        OutputPath = output,
        BatchSize = 2,
        Detector = new DetectorOptions { Flip = false },
        Progress = ProgressStyle.Lines,
        ProgressInterval = TimeSpan.Zero,
    };

    private static (int Code, string Output, string Error) Run(DetectSettings settings, CancellationToken stopping = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = DetectRun.Run(settings, output, error, stopping);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void A_folder_with_a_bad_file_gives_results_for_the_others_and_reports_the_bad_one()
    {
        var (weights, images) = DemoSet("detect-bad", images: 4);
        File.WriteAllText(Path.Combine(images, "000002b.png"), "not a png");
        var output = Path.Combine(Path.GetDirectoryName(images)!, "results.json");
        var lines = output + "l";

        var (code, printed, error) = Run(Settings(weights, images, output) with { JsonLinesPath = lines });

        Assert.Equal(0, code);
        Assert.Contains("detect: 4 images", printed);
        Assert.Contains("1 skipped", printed);
        Assert.Contains("detect: skipped '000002b.png': The bytes are not an image in a known format.", error);
        Assert.Contains("detect: 5/5 images (100%)", error);
        var results = CocoResults.Load(output);
        Assert.NotEmpty(results.Detections);
        // Ids by position in the sorted folder: 000001, 000002, 000002b (skipped), 000003, 000004.
        Assert.Equal([1L, 2, 4, 5], results.Detections.Select(d => d.ImageId).Distinct().Order());
        Assert.All(results.Detections, d => Assert.InRange(d.CategoryId, 1, 4));
        var perImage = File.ReadAllLines(lines);
        Assert.Equal(5, perImage.Length);
        Assert.Contains("\"error\":\"The bytes are not an image in a known format.\"", perImage[2]);
    }

    [Fact]
    public void Shards_together_give_exactly_the_detections_of_the_whole_collection()
    {
        var (weights, images) = DemoSet("detect-shards", images: 5);
        var folder = Path.GetDirectoryName(images)!;
        var whole = Path.Combine(folder, "whole.json");
        Assert.Equal(0, Run(Settings(weights, images, whole)).Code);

        var parts = new List<CocoDetection>();
        for (int i = 0; i < 3; i++)
        {
            var part = Path.Combine(folder, $"part-{i}.json");
            Assert.Equal(0, Run(Settings(weights, images, part) with { Shard = new Shard(i, 3), BatchSize = 1 }).Code);
            parts.AddRange(CocoResults.Load(part).Detections);
        }

        var expected = CocoResults.Load(whole).Detections;
        Assert.Equal(5, expected.Select(d => d.ImageId).Distinct().Count());
        Assert.Equal(expected.OrderBy(d => d.ImageId).ThenByDescending(d => d.Score).ThenBy(d => d.Box.X).ThenBy(d => d.Box.Y),
            parts.OrderBy(d => d.ImageId).ThenByDescending(d => d.Score).ThenBy(d => d.Box.X).ThenBy(d => d.Box.Y));
    }

    [Fact]
    public void A_stop_request_ends_the_run_with_the_journal_kept_and_the_next_run_finishes_it()
    {
        var (weights, images) = DemoSet("detect-stop", images: 6);
        var folder = Path.GetDirectoryName(images)!;
        var output = Path.Combine(folder, "results.json");
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        var (code, _, error) = Run(Settings(weights, images, output), stop.Token);

        Assert.Equal(130, code);
        Assert.Contains("run the same command again to finish", error);
        Assert.False(File.Exists(output));
        Assert.True(File.Exists(DetectionJournal.PathFor(output)));

        var (again, printed, _) = Run(Settings(weights, images, output));
        Assert.Equal(0, again);
        Assert.Contains("detect: 6 images", printed);
    }

    [Fact]
    public void A_rerun_with_other_settings_is_refused_instead_of_mixing_results()
    {
        var (weights, images) = DemoSet("detect-other", images: 2);
        var output = Path.Combine(Path.GetDirectoryName(images)!, "results.json");
        Assert.Equal(0, Run(Settings(weights, images, output)).Code);

        var error = new StringWriter();
        Assert.Throws<JournalMismatchException>(() => DetectRun.Run(Settings(weights, images, output) with { BatchSize = 1 }, new StringWriter(), error, default));
    }

    [Fact]
    public void A_bar_is_drawn_in_place_when_asked_for()
    {
        var (weights, images) = DemoSet("detect-bar", images: 2);
        var output = Path.Combine(Path.GetDirectoryName(images)!, "results.json");

        var (code, _, error) = Run(Settings(weights, images, output) with { Progress = ProgressStyle.Bar, BatchSize = 1 });

        Assert.Equal(0, code);
        Assert.Contains("\r[###############...............] 1/2 images (50%)", error);
        Assert.Contains("\r[##############################] 2/2 images (100%)", error);
    }

    private static int PixelsChanged(string original, string annotated)
    {
        using var before = Image.Load<Rgb24>(original);
        using var after = Image.Load<Rgb24>(annotated);
        Assert.Equal((before.Width, before.Height), (after.Width, after.Height));
        int changed = 0;
        for (int y = 0; y < before.Height; y++)
        for (int x = 0; x < before.Width; x++)
        {
            if (!before[x, y].Equals(after[x, y])) changed++;
        }

        return changed;
    }

    [Fact]
    public void Annotated_copies_are_written_for_the_detected_images_under_their_names_in_their_formats()
    {
        var (weights, images) = DemoSet("detect-annotated", images: 3);
        File.WriteAllText(Path.Combine(images, "000002b.png"), "not a png");
        using (var photo = Image.Load<Rgb24>(Path.Combine(images, "000001.png")))
        {
            photo.SaveAsJpeg(Path.Combine(images, "000004.jpg"));
        }

        var folder = Path.GetDirectoryName(images)!;
        var annotated = Path.Combine(folder, "annotated");

        var (code, _, _) = Run(Settings(weights, images, Path.Combine(folder, "results.json")) with { AnnotatedFolder = annotated, AnnotatedScoreThreshold = 0 });

        Assert.Equal(0, code);
        // The undecodable file has none; the JPEG stays a JPEG.
        Assert.Equal(["000001.png", "000002.png", "000003.png", "000004.jpg"], Directory.GetFiles(annotated).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, File.ReadAllBytes(Path.Combine(annotated, "000004.jpg"))[..2]);
        Assert.All(new[] { "000001.png", "000002.png", "000003.png" }, name =>
            Assert.True(PixelsChanged(Path.Combine(images, name), Path.Combine(annotated, name)) > 0, $"no box drawn on {name}"));

        // No score exceeds 1: with nothing to draw, each copy is its image pixel for pixel (PNG is lossless).
        var plain = Path.Combine(folder, "plain");
        Assert.Equal(0, Run(Settings(weights, images, Path.Combine(folder, "plain.json")) with { AnnotatedFolder = plain, AnnotatedScoreThreshold = 1.01f }).Code);
        Assert.All(new[] { "000001.png", "000002.png", "000003.png" }, name =>
            Assert.Equal(0, PixelsChanged(Path.Combine(images, name), Path.Combine(plain, name))));
    }

    [Fact]
    public void Annotated_copies_that_would_overwrite_the_images_are_refused()
    {
        var (weights, images) = DemoSet("detect-annotated-over", images: 2);
        var output = Path.Combine(Path.GetDirectoryName(images)!, "results.json");

        var (code, _, error) = Run(Settings(weights, images, output) with { AnnotatedFolder = images });

        Assert.Equal(DetectRun.UsageExitCode, code);
        Assert.Contains("would overwrite the image '000001.png'", error);
        Assert.Equal(2, Directory.GetFiles(images).Length);
    }

    [Theory]
    [InlineData("a/b.png", "a/b.png")]
    [InlineData("photo.JPEG", "photo.JPEG")]
    [InlineData("scan.bmp", "scan.bmp.png")]
    [InlineData("../outside/x.png", "__/outside/x.png")]
    [InlineData("/abs/./y.jpg", "abs/y.jpg")]
    public void Annotated_names_stay_inside_their_folder(string name, string expected)
    {
        Assert.Equal(Path.Combine("/out", expected), AnnotatedImageFiles.PathFor("/out", name));
    }
}
