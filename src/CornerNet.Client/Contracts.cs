namespace CornerNet.Client;

/// <summary>The detections found in one image (POST /detect).</summary>
/// <param name="Width">Width in pixels, after the image's EXIF orientation.</param>
/// <param name="Height">Height in pixels, after the image's EXIF orientation.</param>
/// <param name="Detections">Detections, best first.</param>
/// <param name="Timings">Where the time went, in milliseconds.</param>
/// <param name="Model">The model that answered.</param>
/// <param name="WeightsSha256">SHA-256 of the weights that answered (it changes when the model is reloaded).</param>
public sealed record DetectionResult(int Width, int Height, IReadOnlyList<DetectedObject> Detections, DetectionTimings Timings,
    string Model, string WeightsSha256);

/// <summary>One detected object; <see cref="Bbox"/> is [x1, y1, x2, y2] in the original image's pixels.</summary>
public sealed record DetectedObject(int ClassIndex, string Label, float Score, float[] Bbox);

/// <summary>Milliseconds per stage; preprocess, forward, decode and NMS are for the whole batch the image ran in.
/// <see cref="Crops"/>: the zoom crops a CornerNet-Saccade model took in the image (null for the other families).</summary>
public sealed record DetectionTimings(
    double DecodeImageMs, double QueueMs, double PreprocessMs, double ForwardMs, double DecodeMs, double NmsMs, int BatchSize, double TotalMs,
    int? Crops = null);

/// <summary>POST /detect/batch: one result per image, in the order sent.</summary>
public sealed record BatchDetectionResult(IReadOnlyList<DetectionResult> Results);

/// <summary>An annotated image (POST /detect/annotated): the encoded bytes, their media type, and the model and
/// weights (SHA-256) that answered.</summary>
public sealed record AnnotatedImage(byte[] Content, string ContentType, string? Model = null, string? WeightsSha256 = null);

/// <summary>GET /model, GET /models/{name}: a model the service runs and its settings.</summary>
public sealed record ModelInfo(
    string Name,
    bool IsDefault,
    string Architecture,
    IReadOnlyList<string> Classes,
    string Device,
    long ParameterCount,
    string WeightsFile,
    string WeightsSha256,
    int Reloads,
    int InferenceThreadsInUse,
    string ChannelOrder,
    DecoderInfo Decoder,
    BatchingInfo Batching,
    InferenceInfo Inference,
    PipelineInfo Pipeline,
    LimitsInfo Limits);

/// <summary>One entry of GET /models; <see cref="State"/> is loading, ready or failed.</summary>
public sealed record ModelSummary(string Name, bool IsDefault, string State, string Architecture, string WeightsFile, string? WeightsSha256);

/// <summary>GET /models: every model the service serves, and the one requests without a model get.</summary>
public sealed record ModelList(string DefaultModel, IReadOnlyList<ModelSummary> Models);

/// <summary>POST /models/{name}/reload: <see cref="Outcome"/> is reloaded or unchanged (same SHA-256).</summary>
public sealed record ReloadResult(string Outcome, string PreviousWeightsSha256, ModelInfo Model);

public sealed record DecoderInfo(string Name, bool ManagedSelfCheckPassed, bool SlowFallback, string Reason);

public sealed record BatchingInfo(int MaxBatchSize, int MaxDelayMs, int QueueCapacity, int RequestTimeoutSeconds, int InferenceThreads, int ShutdownDrainSeconds);

public sealed record InferenceInfo(string Precision, bool FoldBatchNorm, bool ChannelsLast, bool ReuseFreedMemory);

public sealed record PipelineInfo(
    int TopK, float AeThreshold, int NumDets, int NmsKernel, int NmsKind, float NmsThreshold, float Sigma, float ScoreFloor, bool MergeBoxes,
    float WeightExp, int MaxPerImage, IReadOnlyList<double> TestScales, bool Flip, int? MaxLongestSide, int MaxBatchImages, bool NormalizeInFloat32);

public sealed record LimitsInfo(long MaxRequestBytes, long MaxPixels, int MaxSide, int MaxBatchImages, IReadOnlyList<string> ImageFormats);
