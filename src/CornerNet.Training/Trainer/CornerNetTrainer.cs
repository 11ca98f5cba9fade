using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Training;
using static TorchSharp.torch;

namespace CornerNet.Training.Trainer;

/// <summary>
/// The training loop: batches from a background loader, forward through every stack, <see cref="CornerNetLoss"/>,
/// Adam with a step decay and optional gradient clipping; checkpoints every N iterations and on cancellation.
/// All tensor work happens on the calling thread, one dispose scope per iteration.
/// </summary>
public sealed class CornerNetTrainer(TrainingOptions options)
{
    public const string LossLogFileName = "loss.jsonl";
    public const string FinalWeightsFileName = "final.pth";

    /// <summary>
    /// Times one iteration is retried after libtorch reports a native error. Long runs here saw a rare, non-repeatable
    /// "Unknown scalar type" from BatchNorm's counter update: TorchSharp 0.107 passes the implicitly converted Scalar
    /// temporaries of <c>num_batches_tracked.add_(1)</c> as raw handles, so a GC during the call (the loader thread
    /// allocates) lets their finalizers free them while libtorch reads them (docs/training.md has the repro). The step
    /// has not touched the weights or the optimiser when it fails, so running the same batch again is safe.
    /// </summary>
    public const int NativeErrorRetries = 3;

    public TrainingOptions Options { get; } = (options ?? throw new ArgumentNullException(nameof(options))).Validate();

    /// <summary>Called after every iteration.</summary>
    public Action<TrainingProgress>? OnProgress { get; init; }

    /// <summary>Called with a checkpoint's folder after it is written.</summary>
    public Action<string>? OnCheckpoint { get; init; }

    /// <summary>Called with a human-readable line when an iteration is retried after a native error.</summary>
    public Action<string>? OnWarning { get; init; }

    /// <summary>Called once with a human-readable line when the run starts (fresh or resumed).</summary>
    public Action<string>? OnStart { get; init; }

    public string LossLogPath => Path.Combine(Options.OutputDirectory, LossLogFileName);

    /// <summary>Trains until the configured iteration count or until <paramref name="cancellationToken"/> fires (then checkpoints and returns).</summary>
    public TrainingResult Run(CancellationToken cancellationToken = default)
    {
        var options = Options;
        var spec = options.Architecture;
        if (options.Threads > 0) set_num_threads(options.Threads);
        var data = TrainingDataSet.Load(options.AnnotationsPath, options.ImagesDirectory, options.CacheDecodedImages);
        if (data.ClassNames.Count != spec.ClassCount)
        {
            throw new TrainingDataException(
                $"{options.AnnotationsPath}: {data.ClassNames.Count} categories, but architecture '{spec.Name}' has {spec.ClassCount} classes.");
        }

        Directory.CreateDirectory(options.OutputDirectory);
        var store = new TrainingCheckpointStore(options.OutputDirectory);
        manual_seed(options.Seed);
        using var network = new CornerNetNetwork(spec);
        using var optimizer = optim.Adam(network.parameters(), lr: options.LearningRate);

        var startIteration = 0;
        string? lastCheckpoint = null;
        if (options.Resume && store.Latest() is { } latest)
        {
            startIteration = Restore(latest.Path, network, optimizer);
            lastCheckpoint = latest.Path;
            OnStart?.Invoke($"resuming from {latest.Path} at iteration {startIteration}");
        }
        else
        {
            if (options.InitialWeightsPath is { } initial)
            {
                RegularFile.Require(initial, "The initial weights file");
                using var weights = PyTorchCheckpointReader.Read(initial, maxTensorBytes: ModelWeights.CheckpointBytesLimit(network));
                ModelWeights.Load(network, weights);
            }

            OnStart?.Invoke($"starting a fresh run of {options.Iterations} iterations ({data.Count} images, batch {options.BatchSize})"
                            + (options.InitialWeightsPath is null ? "" : $" from {options.InitialWeightsPath}"));
        }

        var watch = Stopwatch.StartNew();
        if (startIteration >= options.Iterations)
        {
            var finalPath = SaveFinal(network);
            return new TrainingResult(startIteration, startIteration, false, lastCheckpoint, finalPath, 0);
        }

        using var lossLog = OpenLossLog(startIteration);
        var sampler = TrainingSamplers.For(spec, options.Augmentation);
        var loss = new CornerNetLoss(options.Loss);
        var parameters = network.parameters().ToList();
        network.train();

        using var batches = new TrainingBatchSource(data, sampler, options.BatchSize, options.Seed,
            startIteration, options.Iterations, options.PrefetchBatches);
        var completed = startIteration;
        try
        {
            while (completed < options.Iterations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = batches.Next(cancellationToken);
                var learningRate = options.LearningRateAt(batch.Iteration);
                SetLearningRate(optimizer, learningRate);
                var values = StepWithRetries(network, optimizer, loss, parameters, batch);
                completed = batch.Iteration + 1;

                var elapsed = watch.Elapsed.TotalSeconds;
                var pace = (completed - startIteration) / Math.Max(elapsed, 1e-9);
                var progress = new TrainingProgress(completed, options.Iterations, learningRate,
                    values.Total, values.Focal, values.Pull, values.Push, values.Offset, elapsed, pace) { Attention = values.Attention };
                var attention = spec.Family == NetworkFamily.Saccade ? values.Attention : (double?)null;
                lossLog.WriteLine(JsonSerializer.Serialize(new LossLogEntry(completed, learningRate, values.Total, values.Focal, values.Pull, values.Push, values.Offset, Math.Round(elapsed, 3)) { Attention = attention }));
                lossLog.Flush();
                OnProgress?.Invoke(progress);

                if (completed % options.CheckpointInterval == 0 || completed == options.Iterations)
                {
                    lastCheckpoint = SaveCheckpoint(store, completed, network, optimizer);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (lastCheckpoint is null || !lastCheckpoint.EndsWith(completed.ToString("D7", CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                lastCheckpoint = SaveCheckpoint(store, completed, network, optimizer);
            }

            return new TrainingResult(startIteration, completed, true, lastCheckpoint, null, watch.Elapsed.TotalSeconds);
        }

        var final = SaveFinal(network);
        return new TrainingResult(startIteration, completed, false, lastCheckpoint, final, watch.Elapsed.TotalSeconds);
    }

    private (double Total, double Focal, double Pull, double Push, double Offset, double Attention) StepWithRetries(
        CornerNetNetwork network, TorchSharp.Modules.OptimizerHelper optimizer, CornerNetLoss loss, IReadOnlyList<TorchSharp.Modules.Parameter> parameters, PreparedBatch batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Step(network, optimizer, loss, parameters, batch);
            }
            catch (System.Runtime.InteropServices.ExternalException e) when (attempt <= NativeErrorRetries)
            {
                OnWarning?.Invoke($"iteration {batch.Iteration + 1}: libtorch error, retrying ({attempt}/{NativeErrorRetries}): {e.Message.Split('\n')[0]}");
            }
        }
    }

    private (double Total, double Focal, double Pull, double Push, double Offset, double Attention) Step(
        CornerNetNetwork network, TorchSharp.Modules.OptimizerHelper optimizer, CornerNetLoss loss, IReadOnlyList<TorchSharp.Modules.Parameter> parameters, PreparedBatch batch)
    {
        using var scope = NewDisposeScope();
        var images = tensor(batch.Pixels, [batch.Size, 3, batch.Height, batch.Width]);
        var targets = CornerTargets.Stack(batch.Targets);
        optimizer.zero_grad();
        CornerNetLossResult result;
        if (network.Spec.Family == NetworkFamily.Saccade)
        {
            var (heads, attention) = network.ForwardAllStacksWithAttention(images);
            result = loss.Compute(heads, targets, attention);
        }
        else
        {
            result = loss.Compute(network.ForwardAllStacks(images), targets);
        }

        result.Total.backward();
        if (Options.GradientClipNorm is { } maxNorm) nn.utils.clip_grad_norm_(parameters, maxNorm);
        optimizer.step();
        return result.ToValues();
    }

    private static void SetLearningRate(TorchSharp.Modules.OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }

    private string SaveCheckpoint(TrainingCheckpointStore store, int iteration, CornerNetNetwork network, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        var path = store.Save(iteration, folder =>
        {
            ModelCheckpoint.Save(network, TrainingCheckpointStore.PathFor(folder, TrainingCheckpointStore.WeightsFileName));
            optimizer.save_state_dict(TrainingCheckpointStore.PathFor(folder, TrainingCheckpointStore.OptimizerFileName));
            using var rng = get_rng_state();
            new TrainingState
            {
                Iteration = iteration,
                Seed = Options.Seed,
                BatchSize = Options.BatchSize,
                LearningRate = Options.LearningRateAt(Math.Max(0, iteration - 1)),
                TorchRngState = Convert.ToBase64String(rng.data<byte>().ToArray()),
                SavedAt = DateTimeOffset.UtcNow,
            }.Save(TrainingCheckpointStore.PathFor(folder, TrainingCheckpointStore.StateFileName));
        }, Options.KeepLastCheckpoints);
        OnCheckpoint?.Invoke(path);
        return path;
    }

    private int Restore(string checkpoint, CornerNetNetwork network, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        var state = TrainingState.Load(TrainingCheckpointStore.PathFor(checkpoint, TrainingCheckpointStore.StateFileName));
        if (state.Seed != Options.Seed || state.BatchSize != Options.BatchSize)
        {
            throw new TrainingDataException(
                $"{checkpoint}: saved with seed {state.Seed} and batch size {state.BatchSize}; this run asks for seed {Options.Seed} and batch size {Options.BatchSize}, so it would not continue the same run.");
        }

        using (var weights = PyTorchCheckpointReader.Read(TrainingCheckpointStore.PathFor(checkpoint, TrainingCheckpointStore.WeightsFileName)))
        {
            ModelWeights.Load(network, weights);
        }

        optimizer.load_state_dict(TrainingCheckpointStore.PathFor(checkpoint, TrainingCheckpointStore.OptimizerFileName));
        if (state.TorchRngState is { } saved)
        {
            using var rng = tensor(Convert.FromBase64String(saved), ScalarType.Byte);
            set_rng_state(rng);
        }

        return state.Iteration;
    }

    private string SaveFinal(CornerNetNetwork network)
    {
        // Written under a temporary name first so the final weights appear complete or not at all.
        var final = Path.Combine(Options.OutputDirectory, FinalWeightsFileName);
        var temporary = Path.Combine(Options.OutputDirectory, "final.tmp.pth");
        ModelCheckpoint.Save(network, temporary);
        File.Move(ModelCheckpoint.ArchitecturePathFor(temporary), ModelCheckpoint.ArchitecturePathFor(final), overwrite: true);
        File.Move(temporary, final, overwrite: true);
        return final;
    }

    /// <summary>Opens the loss log for appending, first dropping entries past the iteration the run resumes from.</summary>
    private StreamWriter OpenLossLog(int startIteration)
    {
        var path = LossLogPath;
        var kept = new List<string>();
        if (startIteration > 0 && File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (LossLogEntry.TryParse(line) is { } entry && entry.Iteration <= startIteration) kept.Add(line);
            }
        }

        File.WriteAllLines(path, kept);
        return new StreamWriter(path, append: true);
    }
}
