using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using CornerNet.Model.Architecture;
using CornerNet.Model.Data;
using CornerNet.Model.Training;

namespace CornerNet.Training.Commands;

/// <summary>
/// <c>train --config FILE.json [overrides]</c>: runs <see cref="CornerNetTrainer"/>, prints progress, writes a
/// JSON-lines loss log, checkpoints, the final weights and a loss-curve PNG. SIGTERM or Ctrl-C checkpoint and stop.
/// </summary>
public static class TrainCommand
{
    /// <summary>Exit code of a run stopped by a signal after its checkpoint was written.</summary>
    public const int InterruptedExitCode = 130;

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Training config JSON; command-line options override its values." };
        var annotations = new Option<string?>("--annotations") { Description = "COCO annotations file of the training set." };
        var images = new Option<string?>("--images") { Description = "Folder the images' file names are relative to (default: the annotations' folder)." };
        var arch = new Option<string?>("--arch") { Description = "Architecture preset (" + string.Join(", ", ArchitecturePresets.All.Keys) + ") or JSON file (default tiny)." };
        var output = new Option<string?>("--out") { Description = "Run folder for checkpoints, logs and final weights." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Images per iteration (default 4)." };
        var iterations = new Option<int?>("--iterations") { Description = "Total iterations (default 1000)." };
        var learningRate = new Option<double?>("--lr") { Description = "Adam learning rate (default 2.5e-4)." };
        var learningRateStep = new Option<int?>("--lr-step") { Description = "Iteration at which the learning rate is multiplied by --lr-decay." };
        var learningRateDecay = new Option<double?>("--lr-decay") { Description = "Learning-rate factor at --lr-step (default 0.1)." };
        var clip = new Option<double?>("--clip-grad") { Description = "Clip the global gradient norm to this value." };
        var checkpointInterval = new Option<int?>("--checkpoint-interval") { Description = "Checkpoint every N iterations (default 500)." };
        var keepLast = new Option<int?>("--keep-last") { Description = "Checkpoints kept (default 3)." };
        var seed = new Option<int?>("--seed") { Description = "Seed of weights, data order and augmentation (default 1)." };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: libtorch's choice)." };
        var prefetch = new Option<int?>("--prefetch") { Description = "Batches the loader thread prepares ahead (default 4)." };
        var initialWeights = new Option<string?>("--init-weights") { Description = "Start from these weights (.pth) instead of a random initialisation." };
        var cacheImages = new Option<bool>("--cache-images") { Description = "Keep decoded images in memory (small data sets only)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in the run folder." };
        var logEvery = new Option<int>("--log-every") { Description = "Print a progress line every N iterations when stdout is not a terminal.", DefaultValueFactory = _ => 10 };

        var command = new Command("train", "Train a CornerNet network on a COCO-format data set.")
        {
            config, annotations, images, arch, output, batchSize, iterations, learningRate, learningRateStep, learningRateDecay,
            clip, checkpointInterval, keepLast, seed, threads, prefetch, cacheImages, initialWeights, resume, logEvery,
        };
        command.SetAction(parse =>
        {
            TrainingOptions options;
            try
            {
                var file = parse.GetValue(config) is { } path ? TrainingConfig.Load(path) : new TrainingConfig();
                var merged = file with
                {
                    Annotations = Full(parse.GetValue(annotations)) ?? file.Annotations,
                    Images = Full(parse.GetValue(images)) ?? file.Images,
                    Architecture = parse.GetValue(arch) ?? file.Architecture,
                    Output = Full(parse.GetValue(output)) ?? file.Output,
                    BatchSize = parse.GetValue(batchSize) ?? file.BatchSize,
                    Iterations = parse.GetValue(iterations) ?? file.Iterations,
                    LearningRate = parse.GetValue(learningRate) ?? file.LearningRate,
                    LearningRateStep = parse.GetValue(learningRateStep) ?? file.LearningRateStep,
                    LearningRateDecay = parse.GetValue(learningRateDecay) ?? file.LearningRateDecay,
                    GradientClip = parse.GetValue(clip) ?? file.GradientClip,
                    CheckpointInterval = parse.GetValue(checkpointInterval) ?? file.CheckpointInterval,
                    KeepLast = parse.GetValue(keepLast) ?? file.KeepLast,
                    Seed = parse.GetValue(seed) ?? file.Seed,
                    Threads = parse.GetValue(threads) ?? file.Threads,
                    Prefetch = parse.GetValue(prefetch) ?? file.Prefetch,
                    InitialWeights = Full(parse.GetValue(initialWeights)) ?? file.InitialWeights,
                    CacheImages = parse.GetValue(cacheImages) ? true : file.CacheImages,
                };
                options = ToOptions(merged, parse.GetValue(resume));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"train: {e.Message}");
                return 2;
            }

            return Run(options, Math.Max(1, parse.GetValue(logEvery)));
        });
        return command;
    }

    public static TrainingOptions ToOptions(TrainingConfig config, bool resume)
    {
        var defaults = new TrainingOptions { AnnotationsPath = "-", OutputDirectory = "-", Architecture = ArchitecturePresets.Tiny };
        return new TrainingOptions
        {
            AnnotationsPath = config.Annotations ?? throw new ArgumentException("no training set: give --annotations or \"annotations\" in the config."),
            ImagesDirectory = config.Images,
            OutputDirectory = config.Output ?? throw new ArgumentException("no run folder: give --out or \"output\" in the config."),
            Architecture = ArchitectureSpec.Resolve(config.Architecture ?? ArchitecturePresets.Tiny.Name),
            BatchSize = config.BatchSize ?? defaults.BatchSize,
            Iterations = config.Iterations ?? defaults.Iterations,
            LearningRate = config.LearningRate ?? defaults.LearningRate,
            LearningRateStep = config.LearningRateStep ?? defaults.LearningRateStep,
            LearningRateDecay = config.LearningRateDecay ?? defaults.LearningRateDecay,
            GradientClipNorm = config.GradientClip ?? defaults.GradientClipNorm,
            CheckpointInterval = config.CheckpointInterval ?? defaults.CheckpointInterval,
            KeepLastCheckpoints = config.KeepLast ?? defaults.KeepLastCheckpoints,
            Seed = config.Seed ?? defaults.Seed,
            Threads = config.Threads ?? defaults.Threads,
            PrefetchBatches = config.Prefetch ?? defaults.PrefetchBatches,
            CacheDecodedImages = config.CacheImages ?? defaults.CacheDecodedImages,
            InitialWeightsPath = config.InitialWeights,
            Resume = resume,
        }.Validate();
    }

    public static int Run(TrainingOptions options, int logEvery)
    {
        using var stop = new CancellationTokenSource();
        // SIGTERM and Ctrl-C ask the loop to checkpoint and return instead of killing the process.
        void RequestStop(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!stop.IsCancellationRequested) Console.Error.WriteLine($"train: {context.Signal} received, writing a checkpoint and stopping");
            stop.Cancel();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);

        var interactive = !Console.IsOutputRedirected;
        var trainer = new CornerNetTrainer(options)
        {
            OnStart = line => Console.WriteLine($"train: {line}"),
            OnWarning = line =>
            {
                if (interactive) Console.WriteLine();
                Console.Error.WriteLine($"train: {line}");
            },
            OnCheckpoint = path =>
            {
                if (interactive) Console.WriteLine();
                Console.WriteLine($"train: checkpoint {path}");
            },
            OnProgress = p =>
            {
                if (interactive) Console.Write("\r" + FormatProgress(p) + "   ");
                else if (p.Iteration % logEvery == 0 || p.Iteration == p.TotalIterations) Console.WriteLine(FormatProgress(p));
            },
        };

        TrainingResult result;
        try
        {
            result = trainer.Run(stop.Token);
        }
        catch (Exception e) when (e is TrainingDataException or CocoFormatException or ArgumentException or IOException)
        {
            if (interactive) Console.WriteLine();
            Console.Error.WriteLine($"train: {e.Message}");
            return 1;
        }

        if (interactive) Console.WriteLine();
        WriteLossCurve(trainer.LossLogPath, Path.Combine(options.OutputDirectory, "loss-curve.png"));
        if (result.Interrupted)
        {
            Console.WriteLine($"train: stopped at iteration {result.CompletedIterations}; checkpoint {result.LastCheckpoint}; continue with --resume");
            return InterruptedExitCode;
        }

        Console.WriteLine($"train: finished {result.CompletedIterations} iterations in {result.Seconds:F0} s; weights {result.FinalWeightsPath}");
        return 0;
    }

    public static string FormatProgress(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"iter {p.Iteration}/{p.TotalIterations}  {p.IterationsPerSecond:F2} it/s  eta {FormatDuration(p.EtaSeconds)}  lr {p.LearningRate:G3}  " +
        $"loss {p.Total:F4} (focal {p.Focal:F4} pull {p.Pull:F4} push {p.Push:F4} offset {p.Offset:F4})");

    private static string FormatDuration(double seconds) =>
        double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "?";

    private static void WriteLossCurve(string lossLogPath, string pngPath)
    {
        if (!File.Exists(lossLogPath)) return;
        var entries = LossLogEntry.ReadAll(lossLogPath);
        if (entries.Count < 2) return;
        LossCurvePlot.Save(entries, pngPath);
        Console.WriteLine($"train: loss curve {pngPath}");
    }

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
}
