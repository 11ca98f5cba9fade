using CornerNet.Model.Inference;
using CornerNet.Service.Batching;
using CornerNet.Service.Modeling;
using Prometheus;

namespace CornerNet.Service.Observability;

/// <summary>The <see cref="ServiceMetrics"/> of one model: each series labelled with its name.</summary>
public sealed class ModelMetrics
{
    private readonly ServiceMetrics _metrics;
    private readonly string _model;
    private string? _weights;

    public ModelMetrics(ServiceMetrics metrics, string model)
    {
        _metrics = metrics;
        _model = model;
        QueueDepth = metrics.QueueDepth.WithLabels(model);
        ExpectedWaitSeconds = metrics.ExpectedWaitSeconds.WithLabels(model);
        BatchSizeCap = metrics.BatchSizeCap.WithLabels(model);
        ImagesQueued = metrics.ImagesQueued.WithLabels(model);
        ImagesProcessed = metrics.ImagesProcessed.WithLabels(model);
        // Present (at zero) from the start, so dashboards and alerts see every model before its first batch.
        QueueDepth.Set(0);
        ImagesQueued.Inc(0);
        ImagesProcessed.Inc(0);
    }

    public Gauge.Child QueueDepth { get; }

    public Gauge.Child ExpectedWaitSeconds { get; }

    public Gauge.Child BatchSizeCap { get; }

    public Counter.Child ImagesQueued { get; }

    public Counter.Child ImagesProcessed { get; }

    public void Dropped(AbandonReason reason, int images = 1) =>
        _metrics.DroppedJobs.WithLabels(_model, RequestAbandonment.Label(reason)).Inc(images);

    public void Rejected(Rejection rejection) => _metrics.RejectedRequests.WithLabels(_model, rejection.Label).Inc();

    public void Reloaded(string outcome) => _metrics.ModelReloads.WithLabels(_model, outcome).Inc();

    /// <summary>The weights now served: their series 1, the replaced weights' series removed.</summary>
    public void Serving(string sha256)
    {
        if (_weights is { } previous && previous != sha256) _metrics.ModelWeights.RemoveLabelled(_model, previous);
        _weights = sha256;
        _metrics.ModelWeights.WithLabels(_model, sha256).Set(1);
    }

    public void RecordDecoder(DecoderInUse decoder) =>
        _metrics.DecoderInfo.WithLabels(_model, decoder.Name, decoder.ManagedSelfCheckPassed ? "passed" : "failed").Set(1);

    /// <param name="crops">The zoom crops of each image of the batch (CornerNet-Saccade), or null.</param>
    public void RecordBatch(int size, StageTimings timings, IReadOnlyList<int>? crops = null)
    {
        foreach (var count in crops ?? []) _metrics.ZoomCrops.WithLabels(_model).Observe(count);
        _metrics.BatchSize.WithLabels(_model).Observe(size);
        _metrics.ForwardSeconds.WithLabels(_model).Observe(timings.Forward.TotalSeconds);
        _metrics.DecodeSeconds.WithLabels(_model).Observe((timings.Decode + timings.Nms).TotalSeconds);
        ImagesProcessed.Inc(size);
    }
}
