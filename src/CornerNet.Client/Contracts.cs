namespace CornerNet.Client;

/// <summary>The detections found in one image (POST /detect).</summary>
/// <param name="Width">Width in pixels, after the image's EXIF orientation.</param>
/// <param name="Height">Height in pixels, after the image's EXIF orientation.</param>
/// <param name="Detections">Detections, best first.</param>
/// <param name="Timings">Where the time went, in milliseconds.</param>
public sealed record DetectionResult(int Width, int Height, IReadOnlyList<DetectedObject> Detections, DetectionTimings Timings);

/// <summary>One detected object; <see cref="Bbox"/> is [x1, y1, x2, y2] in the original image's pixels.</summary>
public sealed record DetectedObject(int ClassIndex, string Label, float Score, float[] Bbox);

/// <summary>Milliseconds per stage; preprocess, forward, decode and NMS are for the whole batch the image ran in.
/// <see cref="Crops"/>: the zoom crops a CornerNet-Saccade model took in the image (null for the other families).</summary>
public sealed record DetectionTimings(
    double DecodeImageMs, double QueueMs, double PreprocessMs, double ForwardMs, double DecodeMs, double NmsMs, int BatchSize, double TotalMs,
    int? Crops = null);

/// <summary>POST /detect/batch: one result per image, in the order sent.</summary>
public sealed record BatchDetectionResult(IReadOnlyList<DetectionResult> Results);

/// <summary>An annotated image (POST /detect/annotated): the encoded bytes and their media type.</summary>
public sealed record AnnotatedImage(byte[] Content, string ContentType);

/// <summary>GET /model: the model the service runs and its settings.</summary>
public sealed record ModelInfo(
    string Architecture,
    IReadOnlyList<string> Classes,
    string Device,
    long ParameterCount,
    string WeightsFile,
    string WeightsSha256,
    string ChannelOrder,
    DecoderInfo Decoder,
    BatchingInfo Batching,
    InferenceInfo Inference,
    PipelineInfo Pipeline,
    LimitsInfo Limits);

public sealed record DecoderInfo(string Name, bool ManagedSelfCheckPassed, bool SlowFallback, string Reason);

public sealed record BatchingInfo(int MaxBatchSize, int MaxDelayMs, int QueueCapacity, int RequestTimeoutSeconds, int InferenceThreads, int ShutdownDrainSeconds);

public sealed record InferenceInfo(string Precision, bool FoldBatchNorm, bool ChannelsLast, bool ReuseFreedMemory);

public sealed record PipelineInfo(
    int TopK, float AeThreshold, int NumDets, int NmsKernel, int NmsKind, float NmsThreshold, float Sigma, float ScoreFloor, bool MergeBoxes,
    float WeightExp, int MaxPerImage, IReadOnlyList<double> TestScales, bool Flip, int? MaxLongestSide, int MaxBatchImages, bool NormalizeInFloat32);

public sealed record LimitsInfo(long MaxRequestBytes, long MaxPixels, int MaxSide, int MaxBatchImages, IReadOnlyList<string> ImageFormats);
