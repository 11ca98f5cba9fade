using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>What a client may send.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body (413 above it).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Largest width × height, read from the image header before decoding (422 above it).</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Longest side accepted, also checked from the header (422 above it).</summary>
    [Range(1, 65_535)]
    public int MaxSide { get; set; } = 16_384;

    /// <summary>Most images in one POST /detect/batch.</summary>
    [Range(1, 256)]
    public int MaxBatchImages { get; set; } = 16;

    /// <summary>Enabled decoders. JPEG, PNG, BMP and WebP by default; GIF and TIFF, which carry most of the decoders'
    /// past vulnerabilities, only when listed.</summary>
    [MinLength(1)]
    public string[] ImageFormats { get; set; } = ["jpeg", "png", "bmp", "webp"];
}
