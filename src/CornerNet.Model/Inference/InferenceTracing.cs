using System.Diagnostics;

namespace CornerNet.Model.Inference;

/// <summary>
/// Spans of the pipeline's stages (forward pass, corner decoding, soft-NMS), under whatever span is current when
/// <see cref="CornerNetDetector.Detect(IReadOnlyList{DecodedImage})"/> runs. Nothing is recorded unless a listener
/// (the service's OpenTelemetry tracing) subscribes to <see cref="SourceName"/>.
/// </summary>
public static class InferenceTracing
{
    public const string SourceName = "CornerNet.Model";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span of one stage over <paramref name="images"/> images (a mirror counted with its image), or null
    /// when nobody listens.</summary>
    public static Activity? Start(string stage, int images)
    {
        var span = Source.StartActivity(stage);
        span?.SetTag("cornernet.images", images);
        return span;
    }
}
