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

    /// <summary>When set, a JPEG whose longer side is at least twice this is decoded reduced (1/2, 1/4 or 1/8, by
    /// libjpeg's DCT scaling), keeping its longer side at least this; boxes are mapped back to the image's own pixels.
    /// Unset by default: it changes detections slightly from the authors' full-size decoding.</summary>
    [Range(32, 65_535)]
    public int? MaxInferenceSide { get; set; }

    /// <summary>Most images in one POST /detect/batch.</summary>
    [Range(1, 256)]
    public int MaxBatchImages { get; set; } = 16;

    /// <summary>Most pixels (width × height, from the headers) of all images of one POST /detect/batch together (422
    /// above it).</summary>
    [Range(1, long.MaxValue)]
    public long MaxBatchPixels { get; set; } = 64_000_000;

    /// <summary>Most decoded pixels held at once across all requests, from decoding to the response (503 with
    /// Retry-After above it). Decoded pixels take 3 bytes each, and twice that while a decoder hands them over.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixelsInFlight { get; set; } = 64_000_000;

    /// <summary>Most request-body bytes held at once across all requests while uploads are read (503 with
    /// Retry-After above it).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxBodyBytesInFlight { get; set; } = 256 * 1024 * 1024;

    /// <summary>Most parts in one multipart/form-data body (400 above it).</summary>
    [Range(1, 10_000)]
    public int MaxFormParts { get; set; } = 64;

    /// <summary>Longest header block of one multipart part, in bytes (400 above it).</summary>
    [Range(256, 1024 * 1024)]
    public int MaxPartHeaderBytes { get; set; } = 16 * 1024;

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
        if (MaxBatchPixels < MaxPixels)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(MaxBatchPixels)} ({MaxBatchPixels}) must be at least {Section}:{nameof(MaxPixels)} ({MaxPixels}), or a batch could not hold one largest image.",
                [nameof(MaxBatchPixels)]);
        }

        if (MaxPixelsInFlight < MaxBatchPixels)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(MaxPixelsInFlight)} ({MaxPixelsInFlight}) must be at least {Section}:{nameof(MaxBatchPixels)} ({MaxBatchPixels}), or the largest batch could never run.",
                [nameof(MaxPixelsInFlight)]);
        }

        if (MaxBodyBytesInFlight < MaxRequestBytes)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(MaxBodyBytesInFlight)} ({MaxBodyBytesInFlight}) must be at least {Section}:{nameof(MaxRequestBytes)} ({MaxRequestBytes}), or the largest body could never be read.",
                [nameof(MaxBodyBytesInFlight)]);
        }

        if (MaxFormParts < MaxBatchImages)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(MaxFormParts)} ({MaxFormParts}) must be at least {Section}:{nameof(MaxBatchImages)} ({MaxBatchImages}).",
                [nameof(MaxFormParts)]);
        }

        foreach (var format in (ImageFormats ?? []).Where(f => !KnownImageFormats.Contains(f.ToLowerInvariant())))
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(ImageFormats)}: '{format}' is not one of {string.Join(", ", KnownImageFormats)}.", [nameof(ImageFormats)]);
        }
    }
}
