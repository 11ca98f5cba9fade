using CornerNet.Model.Inference;
using CornerNet.Service.Batching;
using CornerNet.Service.Configuration;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Modeling;

/// <summary>
/// The models the service serves (<see cref="ModelCatalogOptions"/>), one <see cref="ModelUnit"/> each, with a batching
/// worker each. At start every model loads in the background on its own thread (so /health/live answers meanwhile);
/// the service is ready when all are. A model that cannot be loaded is logged in one line and stops the host; Program
/// turns that into a non-zero exit code. With ModelReload:WatchFiles, each model's weights file is watched.
/// </summary>
public sealed class ModelRegistry : IHostedService, IDisposable
{
    private readonly Dictionary<string, ModelUnit> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<BatchingWorker> _workers = [];
    private readonly List<WeightsWatcher> _watchers = [];
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ModelReloadOptions _reload;
    private readonly TimeProvider _clock;
    private readonly ShutdownDrain _drain;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    public ModelRegistry(IOptions<ModelCatalogOptions> catalog, IOptions<ModelReloadOptions> reload, PipelineOverrides pipeline,
        IHostEnvironment environment, IHostApplicationLifetime lifetime, TimeProvider clock, ServiceMetrics metrics,
        ShutdownDrain drain, ILoggerFactory loggers)
    {
        _lifetime = lifetime;
        _reload = reload.Value;
        _clock = clock;
        _drain = drain;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ModelRegistry>();
        // libtorch's own thread count, read before any model sets one (IntraOpThreads).
        _ = IntraOpThreads.Default;
        var logger = loggers.CreateLogger<ModelUnit>();
        Units = catalog.Value.Models
            .Select(m => new ModelUnit(m, pipeline, environment.ContentRootPath, clock, metrics.For(m.Name), logger))
            .ToList();
        foreach (var unit in Units) _byName.Add(unit.Name, unit);
        Default = _byName[catalog.Value.DefaultName];
    }

    /// <summary>Every model, in configuration order.</summary>
    public IReadOnlyList<ModelUnit> Units { get; }

    /// <summary>The model requests that name none get (Detection:DefaultModel).</summary>
    public ModelUnit Default { get; }

    /// <summary>All models loaded and warmed up.</summary>
    public bool IsReady => Units.All(u => u.IsReady);

    /// <summary>Why a model could not be loaded at start-up, or null.</summary>
    public string? LoadFailure => Units.Select(u => u.LoadFailure).FirstOrDefault(f => f is not null);

    /// <summary>The model called <paramref name="name"/> (case-insensitive), the default one for null or empty.</summary>
    public ModelUnit? Find(string? name) => string.IsNullOrEmpty(name) ? Default : _byName.GetValueOrDefault(name);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var threads = Units.Sum(u => u.Options.Batching.InferenceThreads > 0 ? u.Options.Batching.InferenceThreads : IntraOpThreads.Default);
        if (Units.Count > 1 && threads > Environment.ProcessorCount)
        {
            _logger.LogWarning(
                "The {Count} models use {Threads} inference threads together on {Processors} processors; set InferenceThreads per model (docs/configuration.md)",
                Units.Count, threads, Environment.ProcessorCount);
        }

        foreach (var unit in Units)
        {
            _ = LoadAsync(unit);
            var worker = new BatchingWorker(unit, _drain, _clock, _lifetime, _loggers.CreateLogger<BatchingWorker>());
            _workers.Add(worker);
            await worker.StartAsync(cancellationToken);
        }
    }

    /// <summary>Graceful shutdown: every model's worker drains its queue at the same time.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_workers.Select(w => w.StopAsync(cancellationToken)));

    public void Dispose()
    {
        lock (_watchers)
        {
            foreach (var watcher in _watchers) watcher.Dispose();
            _watchers.Clear();
        }

        foreach (var worker in _workers) worker.Dispose();
        foreach (var unit in Units) unit.Dispose();
    }

    private async Task LoadAsync(ModelUnit unit)
    {
        if (!await unit.LoadAsync())
        {
            // Stopping while the host is still starting aborts start-up with a stack trace; stop once it has started.
            _lifetime.ApplicationStarted.Register(_lifetime.StopApplication);
            return;
        }

        if (!_reload.WatchFiles) return;
        try
        {
            var watcher = new WeightsWatcher(unit.WeightsPath, TimeSpan.FromMilliseconds(_reload.DebounceMs), _clock, () => ReloadChangedAsync(unit));
            lock (_watchers) _watchers.Add(watcher);
        }
        catch (IOException e)
        {
            // E.g. the inotify instance limit (fs.inotify.max_user_instances) reached: serving goes on, reloads by POST.
            _logger.LogWarning("Cannot watch the weights of the model '{Model}' ({Reason}); it reloads by POST only", unit.Name, e.Message);
        }
    }

    private async Task ReloadChangedAsync(ModelUnit unit)
    {
        try
        {
            await unit.ReloadAsync(waitForRunning: true);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Reload of the model '{Model}' after its weights file changed failed", unit.Name);
        }
    }
}
