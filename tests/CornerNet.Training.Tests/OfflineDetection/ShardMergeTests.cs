using CornerNet.Model.Inference;
using CornerNet.Training.Commands;
using CornerNet.Training.OfflineDetection;

namespace CornerNet.Training.Tests.OfflineDetection;

/// <summary><c>merge</c>: the shards of a detect run into the results file an unsharded run writes, or a clear refusal.</summary>
public class ShardMergeTests
{
    private const int Shards = 3;

    private sealed record Run(string Folder, string Weights, string Images);

    private static DetectSettings Settings(Run run, string output, Shard shard) => new()
    {
        WeightsPath = run.Weights,
        Images = run.Images,
        OutputPath = output,
        JsonLinesPath = output + "l",
        Shard = shard,
        BatchSize = 1,
        Detector = new DetectorOptions { Flip = false },
        Progress = ProgressStyle.None,
    };

    private static void Detect(DetectSettings settings) =>
        Assert.Equal(0, DetectRun.Run(settings, new StringWriter(), new StringWriter(), default));

    /// <summary>An unsharded run (whole.json) and the three shards of the same run (results-i.json).</summary>
    private static Run Sharded(string purpose)
    {
        var (weights, images) = DetectRunTests.DemoSet(purpose, images: 7);
        var run = new Run(Path.GetDirectoryName(images)!, weights, images);
        Detect(Settings(run, Path.Combine(run.Folder, "whole.json"), Shard.Whole));
        for (int i = 0; i < Shards; i++) Detect(Settings(run, ShardFile(run, i), new Shard(i, Shards)));
        return run;
    }

    private static string ShardFile(Run run, int index) => Path.Combine(run.Folder, $"results-{index}.json");

    private static (int Code, string Output, string Error) Merge(string output, params string[] shards)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = MergeCommand.Run(shards, output, output + "l", stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void CopyShard(string from, string to)
    {
        File.Copy(from, to);
        File.Copy(DetectionJournal.PathFor(from), DetectionJournal.PathFor(to));
    }

    [Fact]
    public void The_merged_shards_are_byte_for_byte_the_results_of_the_unsharded_run()
    {
        var run = Sharded("merge-bytes");
        var merged = Path.Combine(run.Folder, "merged.json");

        // A quoted glob, as a Kubernetes Job's args give it (no shell expands them).
        var (code, output, error) = Merge(merged, Path.Combine(run.Folder, "results-*.json"));

        Assert.True(code == 0, error);
        Assert.Contains($"merge: {Shards} shards, 7 images", output);
        var whole = Path.Combine(run.Folder, "whole.json");
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(merged));
        Assert.Equal(File.ReadAllBytes(whole + "l"), File.ReadAllBytes(merged + "l"));
        // Not just the shards laid end to end: they interleave (image k is in shard k mod 3).
        Assert.NotEqual(File.ReadAllBytes(whole + "l"), Enumerable.Range(0, Shards).SelectMany(i => File.ReadAllBytes(ShardFile(run, i) + "l")).ToArray());
    }

    [Fact]
    public void A_missing_shard_is_refused_naming_it_and_nothing_is_written()
    {
        var run = Sharded("merge-missing");
        var merged = Path.Combine(run.Folder, "merged.json");

        var (code, _, error) = Merge(merged, ShardFile(run, 0), ShardFile(run, 2));

        Assert.Equal(MergeCommand.RefusedExitCode, code);
        Assert.Contains("merge: shard 1/3 is missing; given: 0/3", error);
        Assert.False(File.Exists(merged));
    }

    [Fact]
    public void A_shard_given_twice_is_refused_naming_both_files()
    {
        var run = Sharded("merge-twice");
        var copy = Path.Combine(run.Folder, "copy-of-1.json");
        CopyShard(ShardFile(run, 1), copy);

        var (code, _, error) = Merge(Path.Combine(run.Folder, "merged.json"), ShardFile(run, 0), ShardFile(run, 1), copy, ShardFile(run, 2));

        Assert.Equal(MergeCommand.RefusedExitCode, code);
        Assert.Contains($"shard 1/3 is given twice: {ShardFile(run, 1)} and {copy}", error);
    }

    [Fact]
    public void An_unfinished_shard_and_a_shard_of_another_run_are_refused()
    {
        var run = Sharded("merge-unfinished");
        var journal = DetectionJournal.PathFor(ShardFile(run, 2));
        var lines = File.ReadAllLines(journal);
        File.WriteAllLines(journal, lines[..^1]);

        var (code, _, error) = Merge(Path.Combine(run.Folder, "merged.json"), ShardFile(run, 0), ShardFile(run, 1), ShardFile(run, 2));

        Assert.Equal(MergeCommand.RefusedExitCode, code);
        Assert.Contains($"shard 2/3 is not finished ({lines.Length - 2} of {lines.Length - 1} images); run its detect command again", error);

        // Shard 2 again, with the flipped pass on: another run's results, which must not be mixed in.
        File.WriteAllLines(journal, lines);
        var other = Path.Combine(run.Folder, "other-2.json");
        Detect(Settings(run, other, new Shard(2, Shards)) with { Detector = new DetectorOptions { Flip = true } });
        (code, _, error) = Merge(Path.Combine(run.Folder, "merged.json"), ShardFile(run, 0), ShardFile(run, 1), other);
        Assert.Equal(MergeCommand.RefusedExitCode, code);
        Assert.Contains("come from different detect runs", error);
    }

    [Fact]
    public void Shards_of_different_splits_and_a_glob_matching_nothing_are_refused()
    {
        var run = Sharded("merge-split");
        var half = Path.Combine(run.Folder, "half-0.json");
        Detect(Settings(run, half, new Shard(0, 2)));

        var (code, _, error) = Merge(Path.Combine(run.Folder, "merged.json"), ShardFile(run, 0), half);
        Assert.Equal(MergeCommand.RefusedExitCode, code);
        Assert.Contains("is shard 0/3 but", error);
        Assert.Contains("is shard 0/2: not parts of one split", error);

        (code, _, error) = Merge(Path.Combine(run.Folder, "merged.json"), Path.Combine(run.Folder, "nothing-*.json"));
        Assert.Equal(MergeCommand.RefusedExitCode, code);
        Assert.Contains("matches no files", error);
    }
}
