using CornerNet.Model.Inference;
using CornerNet.Model.Inference.Saccade;
using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;

namespace CornerNet.Service.Api;

/// <summary>Options and model state to GET /model's and /models' contracts, property by property.</summary>
internal static class ModelInfoMapper
{
    public static ModelInfoResponse ToResponse(ModelUnit unit, LoadedModel model, bool isDefault, LimitsOptions limits) => new(
        unit.Name,
        isDefault,
        model.Spec.Name,
        model.Spec.Family.ToString().ToLowerInvariant(),
        model.Spec.Classes,
        model.Device.ToString(),
        model.ParameterCount,
        Path.GetFileName(model.WeightsPath),
        model.WeightsSha256,
        unit.Reloads,
        unit.ThreadsInUse,
        model.Spec.ChannelOrder,
        ToDto(model.Decoder),
        ToDto(unit.Options.Batching),
        ToDto(unit.Options.Inference),
        ToDto(model.Detector.Options),
        ToDto(limits),
        model.Detector is SaccadeDetector saccade ? ToDto(saccade.Saccade) : null);

    public static ModelSummary ToSummary(ModelUnit unit, bool isDefault) => unit.Slot.Current is { } model
        ? new(unit.Name, isDefault, "ready", model.Spec.Name, Path.GetFileName(model.WeightsPath), model.WeightsSha256)
        : new(unit.Name, isDefault, unit.LoadFailure is null ? "loading" : "failed", unit.Options.Model.Architecture,
            Path.GetFileName(unit.WeightsPath), null);

    public static DecoderDto ToDto(DecoderInUse decoder) =>
        new(decoder.Name, decoder.ManagedSelfCheckPassed, decoder.IsSlowFallback, decoder.Reason);

    public static BatchingDto ToDto(BatchingOptions o) =>
        new(o.MaxBatchSize, o.MaxDelayMs, o.QueueCapacity, o.RequestTimeoutSeconds, o.InferenceThreads, o.ShutdownDrainSeconds);

    public static InferenceDto ToDto(InferenceOptions o) => new(o.Precision, o.FoldBatchNorm, o.ChannelsLast, o.ReuseFreedMemory);

    public static PipelineDto ToDto(DetectorOptions o) => new(
        o.TopK, o.AeThreshold, o.NumDets, o.NmsKernel, o.NoBorder, (int)o.NmsKind, o.NmsThreshold, o.Sigma, o.ScoreFloor, o.MergeBoxes,
        o.WeightExp, o.MaxPerImage, [.. o.TestScales], o.Flip, o.MaxLongestSide, o.MaxBatchImages, o.NormalizeInFloat32);

    public static SaccadeDto ToDto(SaccadeOptions o) => new(
        [.. o.ViewSizes], o.InputSize, o.AttentionThreshold, [.. o.AttentionScales], o.AttentionNmsKernel, o.ReferenceDetections,
        o.ViewScoreFloor, o.ReferenceScore, o.LocationNmsDistance, o.MaxCrops, o.CropBatch);

    public static LimitsDto ToDto(LimitsOptions o) => new(o.MaxRequestBytes, o.MaxPixels, o.MaxSide, o.MaxBatchImages, o.EnabledImageFormats);
}
