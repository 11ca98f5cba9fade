using System.CommandLine;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Data;
using CornerNet.Model.Inference;
using CornerNet.Training.OfflineDetection;
using CornerNet.Training.Hosting;

namespace CornerNet.Training.Commands;

/// <summary>
/// <c>detect --weights FILE [--arch A] --images DIR|GLOB|LIST --out results.json [--shard i/n] [--annotated DIR]</c>:
/// offline detection over an image collection, resumable after any interruption (<see cref="DetectRun"/>).
/// </summary>
public static class DetectCommand
{
    /// <summary>Default of <c>--shutdown-timeout</c>: time for the batch in progress to finish after SIGTERM.</summary>
    public const int DefaultShutdownTimeoutSeconds = 60;

    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "Weights (.pth) to run.", Required = true };
        var arch = new Option<string?>("--arch") { Description = "Architecture preset or JSON (default: the .json beside the weights)." };
        var images = new Option<string>("--images") { Description = "A folder (searched recursively), a glob (quote it) or a list file of image paths.", Required = true };
        var output = new Option<string>("--out") { Description = "COCO results JSON to write; its journal (the same name + .journal) makes the run resumable.", Required = true };
        var jsonLines = new Option<string?>("--jsonl") { Description = "Also write one JSON line per image (labels, skipped files with the reason)." };
        var annotated = new Option<string?>("--annotated") { Description = "Also write each image with its boxes drawn into this folder (same relative names)." };
        var annotatedThreshold = new Option<float>("--annotated-threshold")
        {
            Description = "Least score of the boxes drawn on the annotated images (the results files keep all).",
            DefaultValueFactory = _ => DetectSettings.DefaultAnnotatedScoreThreshold,
        };
        var annotations = new Option<string?>("--annotations") { Description = "COCO annotations giving image ids (by file name) and category ids (default: ids by position)." };
        var shard = new Option<string>("--shard") { Description = "Run part i of n (0 <= i < n) of the sorted collection: image k is in part k mod n.", DefaultValueFactory = _ => "0/1" };
        var batchSize = new Option<int>("--batch-size") { Description = "Images forwarded together (and journaled together).", DefaultValueFactory = _ => 4 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0: libtorch's choice).", DefaultValueFactory = _ => 0 };
        var noFlip = new Option<bool>("--no-flip") { Description = "Skip the flipped test-time pass (the authors' default is to use it)." };
        var precision = new Option<string>("--precision") { Description = "fp32 (exact) or bf16.", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong([.. InferencePrecisions.Names]);
        var progress = new Option<ProgressStyle>("--progress") { Description = "auto (a bar on a terminal, lines otherwise), bar, lines or none.", DefaultValueFactory = _ => ProgressStyle.Auto };
        var progressInterval = new Option<double>("--progress-interval") { Description = "Seconds between progress lines (lines style).", DefaultValueFactory = _ => 10 };
        var shutdownTimeout = new Option<int>("--shutdown-timeout")
        {
            Description = $"Seconds a stopped run (SIGTERM, Ctrl-C) has to finish and journal its batch (default {DefaultShutdownTimeoutSeconds}).",
            DefaultValueFactory = _ => DefaultShutdownTimeoutSeconds,
        };

        var command = new Command("detect", "Detect objects in a folder, glob or list of images; resumable, shardable; writes COCO results JSON.")
        {
            weights, arch, images, output, jsonLines, annotated, annotatedThreshold, annotations, shard, batchSize, threads, noFlip, precision, progress, progressInterval, shutdownTimeout,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            DetectSettings settings;
            try
            {
                if (parse.GetValue(progressInterval) is < 0 or double.NaN) throw new ArgumentException("--progress-interval must be 0 or more seconds.");
                if (parse.GetValue(shutdownTimeout) < 0) throw new ArgumentException("--shutdown-timeout must be 0 or more seconds.");
                if (parse.GetValue(annotatedThreshold) is < 0 or > 1 or float.NaN) throw new ArgumentException("--annotated-threshold must be between 0 and 1.");
                settings = new DetectSettings
                {
                    WeightsPath = parse.GetValue(weights)!,
                    Architecture = parse.GetValue(arch),
                    Images = parse.GetValue(images)!,
                    OutputPath = parse.GetValue(output)!,
                    JsonLinesPath = parse.GetValue(jsonLines),
                    AnnotatedFolder = parse.GetValue(annotated),
                    AnnotatedScoreThreshold = parse.GetValue(annotatedThreshold),
                    AnnotationsPath = parse.GetValue(annotations),
                    Shard = Shard.Parse(parse.GetValue(shard)!),
                    BatchSize = parse.GetValue(batchSize),
                    Threads = parse.GetValue(threads),
                    Detector = parse.GetValue(noFlip) ? new DetectorOptions { Flip = false } : null,
                    Tuning = new InferenceTuning { Precision = InferencePrecisions.Parse(parse.GetValue(precision)!) },
                    Progress = parse.GetValue(progress),
                    ProgressInterval = TimeSpan.FromSeconds(parse.GetValue(progressInterval)),
                };
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"detect: {e.Message}");
                return Task.FromResult(DetectRun.UsageExitCode);
            }

            return WorkerHost.RunVerbAsync(
                new WorkerHostOptions { Verb = command.Name, ShutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(shutdownTimeout)) },
                services => services.AddWorkerVerb(stopping => Run(settings, stopping)),
                cancellationToken);
        });
        return command;
    }

    /// <summary>Runs the verb; problems with the inputs or the journal end it with one line on standard error.</summary>
    public static int Run(DetectSettings settings, CancellationToken stopping)
    {
        try
        {
            return DetectRun.Run(settings, Console.Out, Console.Error, stopping);
        }
        catch (JournalMismatchException e)
        {
            Console.Error.WriteLine($"detect: {e.Message}");
            return DetectRun.UsageExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CheckpointFormatException
                                   or CheckpointMismatchException or CocoFormatException)
        {
            Console.Error.WriteLine($"detect: {e.Message}");
            return 1;
        }
    }
}
