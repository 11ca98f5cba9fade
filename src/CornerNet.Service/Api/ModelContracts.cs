using System.Text.Json.Serialization;

namespace CornerNet.Service.Api;

// GET /model's public shape. Mapped explicitly from the options classes (ModelInfoMapper), so renaming a setting
// does not rename a JSON property; ModelInfoShapeTests pins the property names.

/// <summary>A model being served and how it is run (GET /model, GET /models/{name}).</summary>
/// <param name="Name">The model's name (what <c>model=</c> takes).</param>
/// <param name="IsDefault">Whether requests without <c>model=</c> get this model (Detection:DefaultModel).</param>
/// <param name="Architecture">Architecture name.</param>
/// <param name="Family">Network family: hourglass (CornerNet), squeeze (CornerNet-Squeeze) or saccade (CornerNet-Saccade).</param>
/// <param name="Classes">Class names, by class index.</param>
/// <param name="Device">Device the network runs on (cpu, cuda:0...).</param>
/// <param name="ParameterCount">Parameters in the checkpoint.</param>
/// <param name="WeightsFile">Checkpoint file name.</param>
/// <param name="WeightsSha256">SHA-256 of the checkpoint file being served, lower-case hex.</param>
/// <param name="Reloads">Times the weights were reloaded (switched) since start-up.</param>
/// <param name="InferenceThreadsInUse">Intra-op threads in effect on the model's thread (InferenceThreads, or libtorch's default for 0).</param>
/// <param name="ChannelOrder">Channel order the network expects (rgb or bgr).</param>
/// <param name="Decoder">The corner decoder in use.</param>
/// <param name="Batching">How requests are queued and batched.</param>
/// <param name="Inference">How the network was prepared for inference.</param>
/// <param name="Pipeline">The detection pipeline's test-time settings.</param>
/// <param name="Limits">What a client may send.</param>
/// <param name="Saccade">CornerNet-Saccade's zoom settings in force (absent for the other families).</param>
public sealed record ModelInfoResponse(
    string Name,
    bool IsDefault,
    string Architecture,
    string Family,
    IReadOnlyList<string> Classes,
    string Device,
    long ParameterCount,
    string WeightsFile,
    string WeightsSha256,
    int Reloads,
    int InferenceThreadsInUse,
    string ChannelOrder,
    DecoderDto Decoder,
    BatchingDto Batching,
    InferenceDto Inference,
    PipelineDto Pipeline,
    LimitsDto Limits,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SaccadeDto? Saccade);

/// <summary>The corner decoder in use.</summary>
/// <param name="Name">managed (fast, CPU), or torch (torch operations: other devices, or the slow CPU fallback).</param>
/// <param name="ManagedSelfCheckPassed">Whether this libtorch passed the managed decoder's start-up self-check.</param>
/// <param name="SlowFallback">True when the CPU decodes with torch operations because the self-check failed.</param>
/// <param name="Reason">Why this decoder, in words.</param>
public sealed record DecoderDto(string Name, bool ManagedSelfCheckPassed, bool SlowFallback, string Reason);

/// <summary>One entry of GET /models.</summary>
/// <param name="Name">The model's name (what <c>model=</c> takes).</param>
/// <param name="IsDefault">Whether requests without <c>model=</c> get this model.</param>
/// <param name="State">loading, ready or failed.</param>
/// <param name="Architecture">Architecture name once loaded, else the architecture as configured.</param>
/// <param name="WeightsFile">Checkpoint file name.</param>
/// <param name="WeightsSha256">SHA-256 of the weights being served; null until loaded.</param>
public sealed record ModelSummary(string Name, bool IsDefault, string State, string Architecture, string WeightsFile, string? WeightsSha256);

/// <summary>GET /models: every model the service serves.</summary>
/// <param name="DefaultModel">The model requests without <c>model=</c> get.</param>
/// <param name="Models">The models, in configuration order.</param>
public sealed record ModelListResponse(string DefaultModel, IReadOnlyList<ModelSummary> Models);

/// <summary>POST /models/{name}/reload: what was done.</summary>
/// <param name="Outcome">reloaded (new weights serve now) or unchanged (the file's SHA-256 is the one served).</param>
/// <param name="PreviousWeightsSha256">SHA-256 of the weights served before.</param>
/// <param name="Model">The model as it is now.</param>
public sealed record ReloadResponse(string Outcome, string PreviousWeightsSha256, ModelInfoResponse Model);

/// <summary>Batching settings (configuration section Batching).</summary>
/// <param name="MaxBatchSize">Most images run through the network together.</param>
/// <param name="MaxDelayMs">Longest wait after the first queued image for others to join its batch.</param>
/// <param name="QueueCapacity">Images that may wait; beyond this new requests get 503.</param>
/// <param name="RequestTimeoutSeconds">A request still waiting after this long is dropped (504).</param>
/// <param name="InferenceThreads">Threads libtorch uses for one batch; 0 is libtorch's default.</param>
/// <param name="ShutdownDrainSeconds">How long queued work may take to finish on shutdown.</param>
public sealed record BatchingDto(
    int MaxBatchSize,
    int MaxDelayMs,
    int QueueCapacity,
    int RequestTimeoutSeconds,
    int InferenceThreads,
    int ShutdownDrainSeconds);

/// <summary>Inference settings (configuration section Inference).</summary>
/// <param name="Precision">fp32 or bf16.</param>
/// <param name="FoldBatchNorm">BatchNorm folded into the convolutions at load.</param>
/// <param name="ChannelsLast">Convolutions run on channels-last tensors.</param>
/// <param name="ReuseFreedMemory">Memory libtorch frees is kept in malloc's heap.</param>
public sealed record InferenceDto(string Precision, bool FoldBatchNorm, bool ChannelsLast, bool ReuseFreedMemory);

/// <summary>Pipeline settings in effect: the model's own (its family's authors' values and its architecture file's),
/// with what configuration section Pipeline sets.</summary>
/// <param name="TopK">Corners kept per corner type, over all classes.</param>
/// <param name="AeThreshold">Largest embedding distance for two corners to form a box.</param>
/// <param name="NumDets">Boxes kept by the decoder per forwarded image.</param>
/// <param name="NmsKernel">Max-pool window suppressing non-peak heatmap cells.</param>
/// <param name="NoBorder">Boxes with a corner on the output's outer rows or columns are rejected (CornerNet-Saccade).</param>
/// <param name="NmsKind">0 hard NMS, 1 linear soft-NMS, 2 Gaussian soft-NMS.</param>
/// <param name="NmsThreshold">IoU threshold of hard and linear NMS.</param>
/// <param name="Sigma">Gaussian soft-NMS divisor.</param>
/// <param name="ScoreFloor">Boxes scoring below this are discarded.</param>
/// <param name="MergeBoxes">Suppressed boxes are merged into the kept one.</param>
/// <param name="WeightExp">Exponent of the merge weight.</param>
/// <param name="MaxPerImage">Detections kept per image over all classes.</param>
/// <param name="TestScales">Scales each image is run at.</param>
/// <param name="Flip">Each image's mirror is run too.</param>
/// <param name="MaxLongestSide">Longer sides above this are downscaled first; null when disabled.</param>
/// <param name="MaxBatchImages">Most images (before mirroring) in one forward pass.</param>
/// <param name="NormalizeInFloat32">Pixels are normalised in float32 (CornerNet-Lite) rather than double (CornerNet).</param>
public sealed record PipelineDto(
    int TopK,
    float AeThreshold,
    int NumDets,
    int NmsKernel,
    bool NoBorder,
    int NmsKind,
    float NmsThreshold,
    float Sigma,
    float ScoreFloor,
    bool MergeBoxes,
    float WeightExp,
    int MaxPerImage,
    IReadOnlyList<double> TestScales,
    bool Flip,
    int? MaxLongestSide,
    int MaxBatchImages,
    bool NormalizeInFloat32);

/// <summary>CornerNet-Saccade's zoom settings (the authors' CornerNet_Saccade.json values).</summary>
/// <param name="ViewSizes">Longer side of each downsized view of the whole image.</param>
/// <param name="InputSize">The network's square input side (views and crops).</param>
/// <param name="AttentionThreshold">Attention peaks above this propose a zoom location.</param>
/// <param name="AttentionScales">Zoom factor per attention map, coarsest first.</param>
/// <param name="AttentionNmsKernel">Max-pool window that keeps only attention peaks.</param>
/// <param name="ReferenceDetections">The views' confident detections propose zoom locations too.</param>
/// <param name="ViewScoreFloor">View detections scoring at or below this are dropped.</param>
/// <param name="ReferenceScore">View detections scoring above this propose a zoom location.</param>
/// <param name="LocationNmsDistance">Zoom locations closer than this (crop pixels) at a similar scale are merged.</param>
/// <param name="MaxCrops">Most zoom crops per image.</param>
/// <param name="CropBatch">Most views or crops (of one or several images) in one forward pass.</param>
public sealed record SaccadeDto(
    IReadOnlyList<int> ViewSizes,
    int InputSize,
    float AttentionThreshold,
    IReadOnlyList<double> AttentionScales,
    int AttentionNmsKernel,
    bool ReferenceDetections,
    float ViewScoreFloor,
    float ReferenceScore,
    double LocationNmsDistance,
    int MaxCrops,
    int CropBatch);

/// <summary>Request limits (configuration section Limits).</summary>
/// <param name="MaxRequestBytes">Largest request body (413 above it).</param>
/// <param name="MaxPixels">Largest width x height (422 above it).</param>
/// <param name="MaxSide">Longest side accepted (422 above it).</param>
/// <param name="MaxBatchImages">Most images in one POST /detect/batch.</param>
/// <param name="ImageFormats">Enabled image formats.</param>
public sealed record LimitsDto(long MaxRequestBytes, long MaxPixels, int MaxSide, int MaxBatchImages, IReadOnlyList<string> ImageFormats);
