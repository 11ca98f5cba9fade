using System.Text.Json.Serialization;

namespace CornerNet.Service.Api;

/// <summary>The detections found in one image.</summary>
/// <param name="Width">Width of the image in pixels, after its EXIF orientation was applied.</param>
/// <param name="Height">Height of the image in pixels, after its EXIF orientation was applied.</param>
/// <param name="Detections">Detections, best first.</param>
/// <param name="Timings">Where the time went, in milliseconds.</param>
/// <param name="Model">The model that answered (GET /models/{name}).</param>
/// <param name="WeightsSha256">SHA-256 of the weights file that answered, lower-case hex (it changes when the model is reloaded).</param>
public sealed record DetectionResponse(int Width, int Height, IReadOnlyList<DetectionDto> Detections, TimingsDto Timings,
    string Model, string WeightsSha256);

/// <summary>One detected object.</summary>
/// <param name="ClassIndex">Index into the model's class list.</param>
/// <param name="Label">Class name.</param>
/// <param name="Score">Confidence in [0, 1].</param>
/// <param name="Bbox">[x1, y1, x2, y2] in the original image's pixels (top-left and bottom-right corners).</param>
public sealed record DetectionDto(int ClassIndex, string Label, float Score, float[] Bbox);

/// <summary>Milliseconds spent per stage. Preprocess, forward, decode and NMS are for the whole batch the image ran in
/// (for CornerNet-Saccade its views and zoom crops together).</summary>
/// <param name="Crops">CornerNet-Saccade only: the zoom crops this image took (absent for the other families).</param>
public sealed record TimingsDto(
    double DecodeImageMs,
    double QueueMs,
    double PreprocessMs,
    double ForwardMs,
    double DecodeMs,
    double NmsMs,
    int BatchSize,
    double TotalMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Crops = null);

/// <summary>POST /detect/batch: one result per image, in the order the images were sent.</summary>
public sealed record BatchDetectionResponse(IReadOnlyList<DetectionResponse> Results);
