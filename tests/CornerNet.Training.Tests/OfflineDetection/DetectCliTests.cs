using System.Diagnostics;
using CornerNet.Model.Data;
using CornerNet.Tools.Common;
using CornerNet.Training.OfflineDetection;
using Xunit.Abstractions;

namespace CornerNet.Training.Tests.OfflineDetection;

/// <summary>
/// The <c>detect</c> verb as a real child process, interrupted mid-run. The collection is a list file whose fifth
/// image is a named pipe: the worker journals four images, then blocks reading it, so the test knows where the run
/// stands when it kills it, without depending on how fast the machine is.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public class DetectCliTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private const int Images = 9;
    private const int BeforeGate = 4;

    private sealed record Collection(string Weights, string List, string Gate, string Folder);

    private static Collection WithGate(string purpose)
    {
        var (weights, images) = DetectRunTests.DemoSet(purpose, Images - 1);
        var names = Directory.GetFiles(images).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        names.Insert(BeforeGate, "gate.png");
        var list = Path.Combine(images, "list.txt");
        File.WriteAllLines(list, names!);
        var gate = Path.Combine(images, "gate.png");
        using (var mkfifo = Process.Start("mkfifo", [gate])) mkfifo.WaitForExit();
        return new Collection(weights, list, gate, Path.GetDirectoryName(images)!);
    }

    private static string[] Arguments(Collection set, string results) =>
    [
        "detect", "--weights", set.Weights, "--images", set.List, "--out", results, "--jsonl", results + "l", "--annotated", Annotated(results),
        "--batch-size", "1", "--threads", "1", "--no-flip", "--progress", "lines", "--progress-interval", "0",
    ];

    private static string Annotated(string results) => results + ".annotated";

    /// <summary>Every file of the annotated folder (temporary ones included), by name.</summary>
    private static Dictionary<string, byte[]> AnnotatedFiles(string results) =>
        Directory.GetFiles(Annotated(results)).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    private static int JournaledBatches(string results) =>
        File.Exists(DetectionJournal.PathFor(results)) ? File.ReadAllLines(DetectionJournal.PathFor(results)).Length - 1 : 0;

    private static void WaitForBatches(ChildProcess worker, string results, int batches)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (JournaledBatches(results) < batches)
        {
            Assert.False(worker.HasExited, $"the worker exited early. Output:\n{worker.Output}\nErrors:\n{worker.Error}");
            Assert.True(DateTime.UtcNow < deadline, $"no progress. Output:\n{worker.Output}\nErrors:\n{worker.Error}");
            Thread.Sleep(50);
        }
    }

    /// <summary>The gate becomes an ordinary image; then the uninterrupted reference run over the same list.</summary>
    private (byte[] Results, byte[] Lines, Dictionary<string, byte[]> Annotated) Reference(Collection set, byte[] gateImage)
    {
        File.Delete(set.Gate);
        File.WriteAllBytes(set.Gate, gateImage);
        var reference = Path.Combine(set.Folder, "reference.json");
        var (code, stdout, stderr) = TrainingWorkerProcess.Run(Timeout, Arguments(set, reference));
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Equal(Images, CocoResults.Load(reference).Detections.Select(d => d.ImageId).Distinct().Count());
        return (File.ReadAllBytes(reference), File.ReadAllBytes(reference + "l"), AnnotatedFiles(reference));
    }

    [Fact]
    public void A_run_killed_with_sigkill_resumes_and_ends_with_the_same_bytes_as_an_uninterrupted_run()
    {
        var set = WithGate("detect-kill");
        var results = Path.Combine(set.Folder, "results.json");
        using (var worker = TrainingWorkerProcess.Start(Arguments(set, results)))
        {
            WaitForBatches(worker, results, BeforeGate);
            Thread.Sleep(200);
            Assert.False(worker.HasExited);
            worker.Kill();
            worker.WaitForExit(Timeout);
        }

        Assert.Equal(BeforeGate, JournaledBatches(results));
        Assert.False(File.Exists(results));
        var gateImage = File.ReadAllBytes(Path.Combine(set.Folder, "images", "000001.png"));
        var reference = Reference(set, gateImage);
        // What a kill between writing an image's annotated copy and journaling it leaves: a whole copy of an image not
        // journaled, and a torn temporary file of the next. The resumed run writes both again, whole.
        Assert.Equal(BeforeGate, Directory.GetFiles(Annotated(results)).Length);
        File.WriteAllText(Path.Combine(Annotated(results), "gate.png"), "stale");
        File.WriteAllText(Path.Combine(Annotated(results), ".000005.png.tmp"), "torn");

        var (code, stdout, stderr) = TrainingWorkerProcess.Run(Timeout, Arguments(set, results));
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, code);
        Assert.Contains($"detect: resuming: {BeforeGate} of {Images} images", stderr);
        Assert.Contains($"detect: {Images}/{Images} images (100%)", stderr);
        Assert.Equal(reference.Results, File.ReadAllBytes(results));
        Assert.Equal(reference.Lines, File.ReadAllBytes(results + "l"));
        var annotated = AnnotatedFiles(results);
        Assert.Equal(reference.Annotated.Keys.Order(StringComparer.Ordinal), annotated.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Images, annotated.Count);
        Assert.All(reference.Annotated, file => Assert.Equal(file.Value, annotated[file.Key]));
        // Every image journaled once: the resumed run ran only the five the killed one had not finished.
        var journal = File.ReadAllLines(DetectionJournal.PathFor(results)).Skip(1).ToList();
        Assert.Equal(Images, journal.Count);
        Assert.Equal(Enumerable.Range(0, Images).Select(i => $"{{\"batch\":{i},"), journal.Select(l => l[..(l.IndexOf(',', StringComparison.Ordinal) + 1)]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Sigterm_finishes_and_journals_the_image_in_progress_and_the_rerun_ends_with_the_same_bytes()
    {
        var set = WithGate("detect-term");
        var results = Path.Combine(set.Folder, "results.json");
        var gateImage = File.ReadAllBytes(Path.Combine(set.Folder, "images", "000002.png"));
        using (var worker = TrainingWorkerProcess.Start(Arguments(set, results)))
        {
            WaitForBatches(worker, results, BeforeGate);
            worker.Terminate();
            Thread.Sleep(500);
            // The image in progress arrives after the stop request; the run finishes it, journals it and stops.
            File.WriteAllBytes(set.Gate, gateImage);
            Assert.Equal(130, worker.WaitForExit(Timeout));
            output.WriteLine(worker.Error);
            Assert.Contains($"detect: stopped with {BeforeGate + 1} of {Images} images done", worker.Error);
        }

        Assert.Equal(BeforeGate + 1, JournaledBatches(results));
        var reference = Reference(set, gateImage);

        var (code, stdout, stderr) = TrainingWorkerProcess.Run(Timeout, Arguments(set, results));
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, code);
        Assert.Contains($"detect: resuming: {BeforeGate + 1} of {Images} images", stderr);
        Assert.Equal(reference.Results, File.ReadAllBytes(results));
        Assert.Equal(reference.Lines, File.ReadAllBytes(results + "l"));
    }

    [Fact]
    public void A_bad_shard_prints_one_message_and_exits_with_code_2()
    {
        var (code, stdout, stderr) = TrainingWorkerProcess.Run(Timeout,
            "detect", "--weights", "w.pth", "--images", ".", "--out", "r.json", "--shard", "2/2");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("detect: --shard must be i/n", stderr.Trim());
    }
}
