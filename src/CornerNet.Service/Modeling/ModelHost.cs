using System.Diagnostics;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using CornerNet.Service.Batching;
using CornerNet.Service.Configuration;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Modeling;

/// <summary>
/// Owns the one network the service runs. Loads it in the background at start-up (so /health/live answers while a
/// large model loads), runs a warm-up batch, then reports ready. A model that cannot be loaded is logged in one line
/// and stops the host; Program turns that into a non-zero exit code.
/// </summary>
public sealed class ModelHost(
    IOptions<ModelOptions> modelOptions,
    IOptions<BatchingOptions> batchingOptions,
    IOptions<InferenceOptions> inferenceOptions,
    PipelineOverrides pipelineOverrides,
    IHostEnvironment environment,
    IHostApplicationLifetime lifetime,
    ImageTimeEstimate imageTime,
    ServiceMetrics metrics,
    ILogger<ModelHost> logger) : BackgroundService
{
    private readonly Lock _inUse = new();
    private LoadedModel? _model;

    /// <summary>Why the model could not be loaded, or null.</summary>
    public string? LoadFailure { get; private set; }

    public bool IsReady => Volatile.Read(ref _model) is not null;

    /// <summary>The batch sizes worth running on this model (measured at load unless Batching:MeasureBatchSizes is
    /// false); set before <see cref="IsReady"/>.</summary>
    public BatchSizeProfile? BatchSizes { get; private set; }

    /// <summary>The loaded model; only valid when <see cref="IsReady"/>.</summary>
    public LoadedModel Model => Volatile.Read(ref _model) ?? throw new InvalidOperationException("The model is not loaded yet.");

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Loading is CPU-bound and synchronous (tensor work stays on one thread); keep it off the start-up path.
        Task.Factory.StartNew(Load, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Load()
    {
        try
        {
            var started = Stopwatch.StartNew();
            var model = LoadedModel.Load(modelOptions.Value, batchingOptions.Value, inferenceOptions.Value, pipelineOverrides, environment.ContentRootPath);
            model.WarmUp();
            var batching = batchingOptions.Value;
            BatchSizes = batching.MeasureBatchSizes
                ? model.MeasureBatchSizes(batching.MaxBatchSize)
                : BatchSizeProfile.Unmeasured(batching.MaxBatchSize);
            if (BatchSizes.Measured.Count > 0)
            {
                // The admission estimate's starting point, until real batches replace it.
                imageTime.Record(1, BatchSizes.PerImage);
            }

            metrics.BatchSizeCap.Set(BatchSizes.Cap);
            logger.LogInformation("Batching: {BatchSizes}", BatchSizes.Describe());
            metrics.RecordDecoder(model.Decoder);
            if (model.Decoder.IsSlowFallback)
            {
                logger.LogWarning("Corner decoder: {Decoder}, because {Reason}", model.Decoder.Name, model.Decoder.Reason);
            }

            Volatile.Write(ref _model, model);
            logger.LogInformation(
                "Model {Architecture} ready on {Device} ({Tuning}, {Decoder} decoder): {Parameters:N0} parameters from {Weights} in {ElapsedMs} ms",
                model.Spec.Name, model.Device, model.Network.Tuning, model.Decoder.Name, model.ParameterCount, model.WeightsPath, started.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is ModelLoadException or CheckpointFormatException or CheckpointMismatchException
                                      or IOException or UnauthorizedAccessException or ArgumentException)
        {
            LoadFailure = e.Message;
            logger.LogCritical("Cannot load the model: {Reason}", e.Message);
            // Stopping while the host is still starting aborts start-up with a stack trace; stop once it has started.
            lifetime.ApplicationStarted.Register(lifetime.StopApplication);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> with the model, which is not disposed meanwhile: a batch still running when the
    /// host's shutdown timeout ends must not have its network freed under it (that crashes the process).
    /// </summary>
    public T Run<T>(Func<LoadedModel, T> work)
    {
        var model = Model;
        lock (_inUse)
        {
            return work(model);
        }
    }

    public override void Dispose()
    {
        // A batch still running at exit keeps its network; the process is ending and the OS frees it.
        if (_model is { } model && _inUse.TryEnter())
        {
            try
            {
                model.Dispose();
            }
            finally
            {
                _inUse.Exit();
            }
        }

        base.Dispose();
    }
}
