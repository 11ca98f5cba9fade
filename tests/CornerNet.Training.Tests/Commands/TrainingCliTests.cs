using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CornerNet.Tools.Common;
using CornerNet.Training.Trainer;
using Xunit.Abstractions;

namespace CornerNet.Training.Tests.Commands;

[Trait(TestCategories.Category, TestCategories.Slow)]
public partial class TrainingCliTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>Waits until the run has logged two iterations: training is under way.</summary>
    private static void WaitUntilTraining(ChildProcess worker, string run)
    {
        var log = Path.Combine(run, "loss.jsonl");
        var deadline = DateTime.UtcNow + Timeout;
        while (!File.Exists(log) || LossLogEntry.ReadAll(log).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"training did not start. Output:\n{worker.Output}\nErrors:\n{worker.Error}");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void A_run_killed_with_sigkill_resumes_from_its_last_checkpoint_and_finishes()
    {
        var folder = TrainingFixtures.NewFolder("cli-kill");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 4);
        var arch = WriteMicroArchitecture(folder);
        var run = Path.Combine(folder, "run");
        var store = new TrainingCheckpointStore(run);

        int killedAt;
        using (var worker = TrainingWorkerProcess.Start(TrainArguments(annotations, arch, run, iterations: 100_000)))
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (store.Latest() is not { Iteration: >= 4 })
            {
                Assert.True(DateTime.UtcNow < deadline, $"no checkpoint appeared. Output:\n{worker.Output}\nErrors:\n{worker.Error}");
                Thread.Sleep(50);
            }

            worker.Kill();
            worker.WaitForExit(Timeout);
            killedAt = store.Latest()!.Value.Iteration;
            output.WriteLine($"killed after checkpoint {killedAt}");
        }

        var target = killedAt + 3;
        var (code, stdout, stderr) = TrainingWorkerProcess.Run(Timeout, [.. TrainArguments(annotations, arch, run, iterations: target), "--resume"]);
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        Assert.Equal(0, code);
        Assert.Contains($"at iteration {killedAt}", stdout);
        Assert.Contains($"finished {target} iterations", stdout);
        Assert.True(File.Exists(Path.Combine(run, "final.pth")));
        Assert.True(File.Exists(Path.Combine(run, "loss-curve.png")));
        Assert.Equal(target, store.Latest()!.Value.Iteration);
        // The log keeps what the killed run wrote up to its checkpoint, then the resumed iterations, with no gaps or repeats.
        var log = LossLogEntry.ReadAll(Path.Combine(run, "loss.jsonl"));
        Assert.Equal(Enumerable.Range(1, target), log.Select(e => e.Iteration));
    }

    [Fact]
    public void Sigterm_writes_a_checkpoint_and_exits_with_the_interrupted_code()
    {
        var folder = TrainingFixtures.NewFolder("cli-term");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 3);
        var run = Path.Combine(folder, "run");

        using var worker = TrainingWorkerProcess.Start(TrainArguments(annotations, WriteMicroArchitecture(folder), run, iterations: 100_000, checkpointInterval: 1_000));
        WaitUntilTraining(worker, run);

        worker.Terminate();
        var code = worker.WaitForExit(Timeout);
        output.WriteLine(worker.Output);

        Assert.Equal(130, code);
        var latest = new TrainingCheckpointStore(run).Latest();
        Assert.NotNull(latest);
        Assert.Contains($"stopped at iteration {latest.Value.Iteration}", worker.Output);
        // The signal reached the trainer through the host's lifetime, and the host logged nothing of its own
        // (libtorch's native warnings may share stderr).
        Assert.Contains("train: stop requested, writing a checkpoint and stopping", Lines(worker.Error));
        Assert.DoesNotContain(Lines(worker.Error), line => HostLogLine().IsMatch(line));
        Assert.DoesNotContain("Application started", worker.Output + worker.Error);
    }

    [Fact]
    public void A_run_stopped_with_no_shutdown_timeout_exits_at_once_with_the_interrupted_code()
    {
        var folder = TrainingFixtures.NewFolder("cli-no-grace");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 3);
        var run = Path.Combine(folder, "run");

        using var worker = TrainingWorkerProcess.Start(
            [.. TrainArguments(annotations, WriteMicroArchitecture(folder), run, iterations: 100_000, checkpointInterval: 1_000), "--shutdown-timeout", "0"]);
        WaitUntilTraining(worker, run);

        worker.Terminate();
        var code = worker.WaitForExit(Timeout);
        output.WriteLine(worker.Output + worker.Error);

        // 130, not a crash: the process leaves the trainer mid-iteration without tearing libtorch down under it.
        Assert.Equal(130, code);
        Assert.DoesNotContain("stopped at iteration", worker.Output);
    }

    [Theory]
    [InlineData("""{"annotations": "a.json", "output": "run", "bogus": 1}""", "'bogus'")]
    [InlineData("""{"annotations": "a.json", "output": "run", "batchSize": 0}""", "batch size must be at least 1")]
    [InlineData("""{"annotations": "a.json", "output": "run" """, "not a valid training config")]
    [InlineData("""{"output": "run"}""", "no training set")]
    public void A_bad_config_prints_one_message_and_exits_with_code_2(string json, string expected)
    {
        var folder = TrainingFixtures.NewFolder("cli-bad-config");
        var config = Path.Combine(folder, "train.json");
        File.WriteAllText(config, json);

        var (code, stdout, stderr) = TrainingWorkerProcess.Run(Timeout, "train", "--config", config);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith("train: ", line);
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(Path.Combine(folder, "run")));
    }

    [Fact]
    public void A_missing_image_fails_with_a_message_naming_it()
    {
        var folder = TrainingFixtures.NewFolder("cli-missing");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 2);
        var missing = Path.Combine(folder, "data", "images", "000002.png");
        File.Delete(missing);

        var (code, _, stderr) = TrainingWorkerProcess.Run(Timeout, TrainArguments(annotations, WriteMicroArchitecture(folder), Path.Combine(folder, "run"), iterations: 2));

        Assert.Equal(1, code);
        Assert.Contains("000002.png", stderr);
        Assert.Contains("not found", stderr);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public void A_malformed_annotation_fails_with_a_message_naming_the_entry()
    {
        var folder = TrainingFixtures.NewFolder("cli-malformed");
        var annotations = TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 2);
        var json = JsonNode.Parse(File.ReadAllText(annotations))!;
        json["annotations"]![0]!["bbox"] = new JsonArray(1, 2);
        File.WriteAllText(annotations, json.ToJsonString());

        var (code, _, stderr) = TrainingWorkerProcess.Run(Timeout, TrainArguments(annotations, WriteMicroArchitecture(folder), Path.Combine(folder, "run"), iterations: 2));

        Assert.Equal(1, code);
        Assert.Contains("annotations.json", stderr);
        Assert.Contains("annotations[0]", stderr);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public void An_empty_image_list_fails_with_a_clear_message()
    {
        var folder = TrainingFixtures.NewFolder("cli-empty");
        var annotations = Path.Combine(folder, "annotations.json");
        File.WriteAllText(annotations, """{"images": [], "annotations": [], "categories": [{"id": 1, "name": "circle"}]}""");

        var (code, _, stderr) = TrainingWorkerProcess.Run(Timeout, TrainArguments(annotations, WriteMicroArchitecture(folder), Path.Combine(folder, "run"), iterations: 2));

        Assert.Equal(1, code);
        Assert.Contains("image list is empty", stderr);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public void A_config_file_supplies_the_settings_and_the_command_line_overrides_them()
    {
        var folder = TrainingFixtures.NewFolder("cli-config");
        TrainingFixtures.Shapes(Path.Combine(folder, "data"), images: 2);
        WriteMicroArchitecture(folder);
        var config = Path.Combine(folder, "train.json");
        File.WriteAllText(config, """
            {
              "annotations": "data/annotations.json",
              "architecture": "micro.json",
              "output": "run",
              "batchSize": 1,
              "iterations": 50,
              "checkpointInterval": 1,
              "keepLast": 1,
              "threads": 1
            }
            """);

        var (code, stdout, stderr) = TrainingWorkerProcess.Run(Timeout, "train", "--config", config, "--iterations", "2");
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, code);
        Assert.Contains("finished 2 iterations", stdout);
        Assert.Equal([2], new TrainingCheckpointStore(Path.Combine(folder, "run")).List().Select(c => c.Iteration));
    }

    private static string[] TrainArguments(string annotations, string arch, string run, int iterations, int checkpointInterval = 2) =>
    [
        "train", "--annotations", annotations, "--arch", arch, "--out", run, "--batch-size", "2", "--iterations", iterations.ToString(CultureInfo.InvariantCulture),
        "--checkpoint-interval", checkpointInterval.ToString(CultureInfo.InvariantCulture), "--keep-last", "2", "--lr", "1e-3", "--seed", "3", "--threads", "1", "--log-every", "1",
    ];

    private static string WriteMicroArchitecture(string folder)
    {
        var path = Path.Combine(folder, "micro.json");
        TrainingFixtures.Micro.Save(path);
        return path;
    }

    private static void AssertNoStackTrace(string text) => Assert.DoesNotContain("   at ", text);

    /// <summary>A line of Microsoft.Extensions.Logging's console logger ("warn: Category[0] …").</summary>
    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex HostLogLine();

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
