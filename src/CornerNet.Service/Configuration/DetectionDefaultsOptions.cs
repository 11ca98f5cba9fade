using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>Defaults for the per-request query options of POST /detect.</summary>
public sealed class DetectionDefaultsOptions
{
    public const string Section = "Detection";

    /// <summary>Detections scoring below this are not returned unless the request asks for another threshold.</summary>
    [Range(0.0, 1.0)]
    public float ScoreThreshold { get; set; } = 0.3f;

    /// <summary>Most detections returned per image unless the request asks for fewer.</summary>
    [Range(1, 100)]
    public int MaxDetections { get; set; } = 100;
}
