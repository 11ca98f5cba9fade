using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>What a client may send.</summary>
public sealed class LimitsOptions : IValidatableObject
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

    /// <summary>Formats that can be enabled.</summary>
    public static readonly IReadOnlyList<string> KnownImageFormats = ["jpeg", "png", "bmp", "webp", "gif", "tiff"];

    private static readonly string[] DefaultImageFormats = ["jpeg", "png", "bmp", "webp"];

    /// <summary>Enabled decoders. JPEG, PNG, BMP and WebP when unset; GIF and TIFF, which carry most of the decoders'
    /// past vulnerabilities, only when listed. (No default array here: the configuration binder appends to an array's
    /// initial items, so a list could never drop one of them.)</summary>
    public string[]? ImageFormats { get; set; }

    /// <summary>The formats in effect: those listed, else the default four.</summary>
    public IReadOnlyList<string> EnabledImageFormats =>
        ImageFormats is { Length: > 0 } listed ? [.. listed.Select(f => f.ToLowerInvariant()).Distinct()] : DefaultImageFormats;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var format in (ImageFormats ?? []).Where(f => !KnownImageFormats.Contains(f.ToLowerInvariant())))
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(ImageFormats)}: '{format}' is not one of {string.Join(", ", KnownImageFormats)}.", [nameof(ImageFormats)]);
        }
    }
}
