using System.CommandLine;
using CornerNet.Model.Architecture;
using CornerNet.Training.Hosting;
using CornerNet.Training.Trainer;

namespace CornerNet.Training.Commands;

/// <summary>
/// <c>train --config FILE.json [overrides]</c>: merges the config file and the command line into
/// <see cref="TrainVerbOptions"/> and runs <see cref="TrainVerb"/> in the worker host. Bad settings exit with code 2
/// before any host is built.
/// </summary>
public static class TrainCommand
{
    /// <summary>Exit code of a run stopped by a signal after its checkpoint was written.</summary>
    public const int InterruptedExitCode = WorkerHost.InterruptedExitCode;

    /// <summary>Default of <c>--shutdown-timeout</c>: room for hourglass104's weights and Adam state (2.4 GB) on a slow disk.</summary>
    public const int DefaultShutdownTimeoutSeconds = 300;

    /// <summary>Longest accepted <c>--shutdown-timeout</c>: a day is already more than any checkpoint needs.</summary>
    public const int MaxShutdownTimeoutSeconds = 86_400;

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
        var shutdownTimeout = new Option<int?>("--shutdown-timeout")
        {
            Description = $"Seconds a stopped run (SIGTERM, Ctrl-C) has to write its checkpoint before the process exits anyway (default {DefaultShutdownTimeoutSeconds}).",
        };

        var command = new Command("train", "Train a CornerNet network on a COCO-format data set.")
        {
            config, annotations, images, arch, output, batchSize, iterations, learningRate, learningRateStep, learningRateDecay,
            clip, checkpointInterval, keepLast, seed, threads, prefetch, cacheImages, initialWeights, resume, logEvery, shutdownTimeout,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            TrainingOptions options;
            TimeSpan hostShutdownTimeout;
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
                hostShutdownTimeout = ShutdownTimeout(parse.GetValue(shutdownTimeout) ?? file.ShutdownTimeoutSeconds);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"train: {e.Message}");
                return Task.FromResult(2);
            }

            var verb = new TrainVerbOptions { Training = options, LogEvery = Math.Max(1, parse.GetValue(logEvery)) };
            return WorkerHost.RunVerbAsync(
                new WorkerHostOptions { Verb = command.Name, ShutdownTimeout = hostShutdownTimeout },
                services => services.AddTrainVerb(verb),
                cancellationToken);
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

    /// <summary>The host's shutdown timeout from <c>--shutdown-timeout</c> or the config's <c>shutdownTimeoutSeconds</c>.</summary>
    public static TimeSpan ShutdownTimeout(int? seconds) => seconds switch
    {
        null => TimeSpan.FromSeconds(DefaultShutdownTimeoutSeconds),
        < 0 or > MaxShutdownTimeoutSeconds => throw new ArgumentException(
            $"the shutdown timeout (--shutdown-timeout or \"shutdownTimeoutSeconds\" in the config) must be 0 to {MaxShutdownTimeoutSeconds} seconds (got {seconds})."),
        _ => TimeSpan.FromSeconds(seconds.Value),
    };

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
}
