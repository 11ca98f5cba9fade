using System.CommandLine;
using CornerNet.Training.OfflineDetection;

namespace CornerNet.Training.Commands;

/// <summary>
/// <c>merge --out results.json [--jsonl results.jsonl] SHARD...</c>: the results of the shards of one sharded
/// <c>detect</c> run into the results file an unsharded run writes (<see cref="ShardMerge"/>).
/// </summary>
public static class MergeCommand
{
    public const int RefusedExitCode = 2;

    public static Command Create()
    {
        var shards = new Argument<string[]>("shards") { Description = "The shards' results files (their journals beside them), or a quoted glob such as 'results-*.json'.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "The merged COCO results JSON.", Required = true };
        var jsonLines = new Option<string?>("--jsonl") { Description = "Also write the merged JSON lines per image." };
        var command = new Command("merge", "Merge the results of the shards of a detect run (--shard i/n) into one results file.") { shards, output, jsonLines };
        command.SetAction(parse => Run(parse.GetValue(shards)!, parse.GetValue(output)!, parse.GetValue(jsonLines), Console.Out, Console.Error));
        return command;
    }

    public static int Run(IReadOnlyList<string> shards, string output, string? jsonLines, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            var files = ShardMerge.Files(shards);
            var outcomes = ShardMerge.Run(files, output, jsonLines);
            stdout.WriteLine($"merge: {files.Count} shards, {outcomes.Count} images, {outcomes.Sum(o => o.Detections.Count)} detections; results {output}");
            return 0;
        }
        catch (ShardMergeException e)
        {
            stderr.WriteLine($"merge: {e.Message}");
            return RefusedExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            stderr.WriteLine($"merge: {e.Message}");
            return 1;
        }
    }
}
