using System.Diagnostics;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using CornerNet.Service.Batching;
using CornerNet.Service.Configuration;
using CornerNet.Service.Observability;

namespace CornerNet.Service.Modeling;

/// <summary>
/// One served model and everything that is its own: its settings, its weights (<see cref="ModelSlot"/>), the thread its
/// tensor work runs on, its queue with its admission and time estimate, and its metrics. The batching worker that
/// runs its batches is started by <see cref="ModelRegistry"/>.
/// </summary>
public sealed class ModelUnit : IDisposable
{
    private readonly PipelineOverrides _pipeline;
    private readonly string _contentRoot;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reloading = new(1, 1);

    public ModelUnit(ServedModelOptions options, PipelineOverrides pipeline, string contentRoot, TimeProvider clock,
        ModelMetrics metrics, ILogger logger)
    {
        Options = options;
        _pipeline = pipeline;
        _contentRoot = contentRoot;
        _logger = logger;
        Metrics = metrics;
        Queue = new DetectionQueue(options.Batching, clock);
        Admission = new QueueAdmission(Queue, Estimate, options.Batching);
        Thread = new InferenceThread(ThreadName("m:"), options.Batching.InferenceThreads);
    }

    public string Name => Options.Name;

    public ServedModelOptions Options { get; }

    public ModelMetrics Metrics { get; }

    public DetectionQueue Queue { get; }

    public ImageTimeEstimate Estimate { get; } = new();

    public QueueAdmission Admission { get; }

    public ModelSlot Slot { get; } = new();

    /// <summary>The thread every batch of this model runs on.</summary>
    public InferenceThread Thread { get; }

    /// <summary>The weights file as configured, resolved against the content root.</summary>
    public string WeightsPath => Path.GetFullPath(Options.Model.Weights, _contentRoot);

    /// <summary>Why the model could not be loaded at start-up, or null.</summary>
    public string? LoadFailure { get; private set; }

    public bool IsReady => Slot.Current is not null;

    /// <summary>The weights served now; only valid when <see cref="IsReady"/>.</summary>
    public LoadedModel Model => Slot.Current ?? throw new InvalidOperationException($"The model {Name} is not loaded yet.");

    /// <summary>The batch sizes worth running (measured at load unless Batching:MeasureBatchSizes is false); set before
    /// <see cref="IsReady"/>.</summary>
    public BatchSizeProfile? BatchSizes { get; private set; }

    /// <summary>The intra-op thread count in effect on the model's thread (0 until it has started).</summary>
    public int ThreadsInUse => Thread.Threads.IsCompletedSuccessfully ? Thread.Threads.Result : 0;

    /// <summary>Reloads done (weights switched) since start-up.</summary>
    public int Reloads { get; private set; }


    /// <summary>Loads, warms up and times the model on its thread; false (logged in one line) when it cannot be loaded.</summary>
    public async Task<bool> LoadAsync()
    {
        try
        {
            var started = Stopwatch.StartNew();
            var batching = Options.Batching;
            var (model, sizes) = await Thread.RunAsync(() =>
            {
                var model = Load();
                try
                {
                    model.WarmUp();
                    var sizes = batching.MeasureBatchSizes
                        ? model.MeasureBatchSizes(batching.MaxBatchSize)
                        : BatchSizeProfile.Unmeasured(batching.MaxBatchSize);
                    return (model, sizes);
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
            });
            BatchSizes = sizes;
            if (sizes.Measured.Count > 0)
            {
                // The admission estimate's starting point, until real batches replace it.
                Estimate.Record(1, sizes.PerImage);
            }

            Metrics.BatchSizeCap.Set(sizes.Cap);
            _logger.LogInformation("Batching {Model}: {BatchSizes}", Name, sizes.Describe());
            Metrics.RecordDecoder(model.Decoder);
            if (model.Decoder.IsSlowFallback)
            {
                _logger.LogWarning("Corner decoder: {Decoder}, because {Reason}", model.Decoder.Name, model.Decoder.Reason);
            }

            Slot.Swap(model);
            Metrics.Serving(model.WeightsSha256);
            _logger.LogInformation(
                "Model {Architecture} ready on {Device} ({Tuning}, {Decoder} decoder, {Threads} threads) as '{Model}': {Parameters:N0} parameters from {Weights} (SHA-256 {Sha256}) in {ElapsedMs} ms",
                model.Spec.Name, model.Device, model.Network.Tuning, model.Decoder.Name, ThreadsInUse, Name, model.ParameterCount,
                model.WeightsPath, model.WeightsSha256, started.ElapsedMilliseconds);
            return true;
        }
        catch (Exception e) when (ModelLoadFailures.IsExpected(e))
        {
            LoadFailure = e.Message;
            _logger.LogCritical("Cannot load the model '{Model}': {Reason}", Name, e.Message);
            return false;
        }
    }

    /// <summary>
    /// Loads the weights file again beside the weights being served (on a thread of its own with the model's thread
    /// count, so batches keep running), warms it up and switches to it; batches already running finish on the old
    /// weights, which are disposed after the last of them. A file with the SHA-256 being served is left alone. A file
    /// that cannot be served leaves the old weights serving. Logged and counted whatever the outcome.
    /// </summary>
    /// <param name="waitForRunning">Wait for a reload already running (file watching) instead of refusing (409).</param>
    public async Task<ReloadResult> ReloadAsync(bool waitForRunning)
    {
        if (Slot.Current is null) return new ReloadResult(ReloadOutcome.Conflict, null, null, $"The model {Name} is not loaded yet.");
        if (waitForRunning)
        {
            await _reloading.WaitAsync();
        }
        else if (!await _reloading.WaitAsync(TimeSpan.Zero))
        {
            var serving = Slot.Current?.WeightsSha256;
            return new ReloadResult(ReloadOutcome.Conflict, serving, serving, $"A reload of the model {Name} is already running.");
        }

        try
        {
            var result = await SwitchAsync(Model);
            Metrics.Reloaded(result.Label);
            if (result.Outcome == ReloadOutcome.Reloaded)
            {
                _logger.LogInformation("Model '{Model}' reloaded: now serving {Weights} (SHA-256 {Sha256}, was {Previous})",
                    Name, WeightsPath, result.CurrentSha256, result.PreviousSha256);
            }
            else if (result.Outcome == ReloadOutcome.Unchanged)
            {
                _logger.LogInformation("Model '{Model}': {Weights} unchanged (SHA-256 {Sha256}), not reloaded", Name, WeightsPath, result.CurrentSha256);
            }
            else
            {
                _logger.LogError("Reload of the model '{Model}' failed, still serving SHA-256 {Sha256}: {Reason}", Name, result.CurrentSha256, result.Reason);
            }

            return result;
        }
        finally
        {
            _reloading.Release();
        }
    }

    private async Task<ReloadResult> SwitchAsync(LoadedModel serving)
    {
        var previous = serving.WeightsSha256;
        LoadedModel next;
        try
        {
            var path = WeightsPath;
            RegularFile.Require(path, $"{Options.Section}:Weights file");
            if (LoadedModel.Sha256(path) == previous) return new ReloadResult(ReloadOutcome.Unchanged, previous, previous);
            next = await InferenceThread.RunOnceAsync(ThreadName("r:"), Options.Batching.InferenceThreads, () =>
            {
                var model = Load();
                try
                {
                    model.WarmUp();
                    return model;
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
            });
        }
        catch (Exception e) when (ModelLoadFailures.IsExpected(e))
        {
            return new ReloadResult(ReloadOutcome.Failed, previous, previous, e.Message);
        }

        // Requests already queued were checked against, and decoded for, the classes and channel order served now.
        if (!next.Spec.Classes.SequenceEqual(serving.Spec.Classes) || next.Spec.IsBgr != serving.Spec.IsBgr)
        {
            next.Dispose();
            return new ReloadResult(ReloadOutcome.Conflict, previous, previous,
                "The new files change the model's classes or channel order; restart the service to serve them.");
        }

        Slot.Swap(next);
        Metrics.Serving(next.WeightsSha256);
        Reloads++;
        return new ReloadResult(ReloadOutcome.Reloaded, previous, next.WeightsSha256);
    }

    /// <summary>Linux keeps 15 characters of a thread's name; the OpenMP threads a thread starts inherit it, so
    /// <c>/proc/PID/task/*/comm</c> tells the models' CPU time apart (m: serving, r: reloading).</summary>
    private string ThreadName(string prefix) => (prefix + Name).Length <= 15 ? prefix + Name : (prefix + Name)[..15];

    private LoadedModel Load() => LoadedModel.Load(Options.Model, Options.Batching, Options.Inference, _pipeline, _contentRoot);

    public void Dispose()
    {
        Thread.Dispose();
        Slot.Dispose();
        _reloading.Dispose();
    }
}
