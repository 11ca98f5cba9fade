using System.Runtime.InteropServices;
using OpenCvSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Model.Inference;

/// <summary>
/// Turns encoded image bytes into the 8-bit 3-channel pixels the authors got from <c>cv2.imread(path,
/// cv2.IMREAD_COLOR)</c>, by decoding with OpenCV itself (OpenCvSharp): JPEG through libjpeg-turbo, PNG, BMP, WebP and
/// TIFF through OpenCV's codecs, EXIF orientation applied as OpenCV applies it, alpha dropped (not composited), grey
/// and palette expanded, 16-bit reduced to its high byte. GIF, which the authors' OpenCV (4.6) cannot read, is decoded
/// by ImageSharp (first frame). Only allow-listed formats are decoded (recognised from their first bytes), and the
/// size is read from the header before any pixel is decoded (<see cref="ImageHeader"/>). See docs/image-decoding.md.
/// Thread-safe.
/// </summary>
public sealed class ImageLoader
{
    private static readonly Lazy<bool> SingleThreadedOpenCv = new(() =>
    {
        // One thread per image: a server decodes many images at once while libtorch holds the cores, and fanning
        // one decode out to a pool then only adds waiting (measured with ImageSharp; OpenCV's colour conversions
        // would otherwise start their own pool).
        Cv2.SetNumThreads(1);
        return true;
    });

    private readonly ImageDecodingOptions _options;
    private readonly SixLabors.ImageSharp.Configuration _imageSharp;

    public ImageLoader(ImageDecodingOptions? options = null)
    {
        _options = (options ?? new ImageDecodingOptions()).Validate();
        _imageSharp = new SixLabors.ImageSharp.Configuration(new GifConfigurationModule(), new TiffConfigurationModule())
        {
            MaxDegreeOfParallelism = 1,
        };
        _ = SingleThreadedOpenCv.Value;
    }

    public ImageDecodingOptions Options => _options;

    /// <summary>Decodes <paramref name="encoded"/> into pixels in BGR (<paramref name="bgr"/>) or RGB order.</summary>
    /// <exception cref="UndecodableImageException">Not an image, or corrupt or truncated.</exception>
    /// <exception cref="UnsupportedImageFormatException">A known format that is not allowed.</exception>
    /// <exception cref="ImageTooLargeException">More pixels than <see cref="ImageDecodingOptions.MaxPixelCount"/>.</exception>
    public DecodedImage Load(byte[] encoded, bool bgr) => Load(encoded, Inspect(encoded), bgr);

    /// <summary>Decodes an image <see cref="Inspect"/> has accepted (<paramref name="info"/> is what it returned).</summary>
    public DecodedImage Load(byte[] encoded, EncodedImageInfo info, bool bgr)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(info);
        return info.Format == EncodedImageFormat.Gif
            ? DecodeGif(encoded, bgr)
            : DecodeWithOpenCv(encoded, info, ModesFor(info), bgr);
    }

    /// <summary>
    /// Everything that can be known without decoding a pixel: the format (allow-listed), the size from the header
    /// (within the limits), and that the data is not cut short (a JPEG reaches its end-of-image marker and its scans
    /// hold at least the bits their blocks need; a PNG's image data inflates to every declared row). Cheap and bounded:
    /// nothing the size of the image is allocated.
    /// </summary>
    /// <exception cref="UndecodableImageException">Not an image, or corrupt or truncated.</exception>
    /// <exception cref="UnsupportedImageFormatException">A known format that is not allowed.</exception>
    /// <exception cref="ImageTooLargeException">More pixels or a longer side than the options allow.</exception>
    public EncodedImageInfo Inspect(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length == 0) throw new UndecodableImageException("The image is empty.");

        var format = ImageHeader.Sniff(encoded);
        if (format is null || !Allowed(format.Value))
        {
            // Tell "a format we refuse" apart from "not an image at all".
            var known = format is { } f ? ImageHeader.NameOf(f) : SixLabors.ImageSharp.Image.DetectFormat(encoded)?.Name;
            throw known is not null
                ? new UnsupportedImageFormatException(known)
                : new UndecodableImageException("The bytes are not an image in a known format.");
        }

        int? jpegLength = null;
        int width, height;
        if (format == EncodedImageFormat.Jpeg)
        {
            ((width, height), jpegLength) = ImageHeader.ReadJpeg(encoded);
        }
        else
        {
            (width, height) = format == EncodedImageFormat.Tiff ? TiffSize(encoded) : ImageHeader.ReadSize(format.Value, encoded);
        }

        if ((long)width * height > _options.MaxPixelCount)
        {
            throw new ImageTooLargeException(width, height, $"at most {_options.MaxPixelCount} pixels are accepted");
        }

        if (Math.Max(width, height) > _options.MaxSide)
        {
            throw new ImageTooLargeException(width, height, $"sides of at most {_options.MaxSide} pixels are accepted");
        }

        // libjpeg would fill a JPEG cut short with grey and call it a success; a cut-off upload is a client error.
        if (format == EncodedImageFormat.Jpeg && jpegLength is null) throw ImageHeader.Truncated();

        // The PNG decoder does the same with rows the data lacks.
        if (format == EncodedImageFormat.Png) PngDataCheck.EnsureComplete(encoded);

        return new EncodedImageInfo(format.Value, width, height)
        {
            Reduction = format == EncodedImageFormat.Jpeg ? JpegReduction(Math.Max(width, height)) : 1,
        };
    }

    /// <summary>The largest of 8, 4 and 2 by which the longer side is at least that many times MaxInferenceSide (so the
    /// reduced side, rounded up by libjpeg, stays at least MaxInferenceSide); 1 when none is or it is unset.</summary>
    private int JpegReduction(int longerSide)
    {
        if (_options.MaxInferenceSide is not { } side) return 1;
        foreach (var factor in (ReadOnlySpan<int>)[8, 4, 2])
        {
            if (longerSide >= (long)factor * side) return factor;
        }

        return 1;
    }

    private bool Allowed(EncodedImageFormat format) => format switch
    {
        EncodedImageFormat.Gif => _options.AllowGif,
        EncodedImageFormat.Tiff => _options.AllowTiff,
        _ => true,
    };

    /// <summary>
    /// IMREAD_COLOR, as cv2.imread's default: 8-bit BGR, EXIF orientation applied. Except WebP: OpenCV 4.13 rotates a
    /// WebP by its EXIF orientation, the authors' OpenCV (4.6) does not (corpus file webp_exif_orientation_6.webp).
    /// A JPEG to be reduced: IMREAD_REDUCED_COLOR_2, _4 or _8 (libjpeg scales while decoding; orientation applied).
    /// </summary>
    private static ImreadModes ModesFor(EncodedImageInfo info) => info switch
    {
        { Format: EncodedImageFormat.Webp } => ImreadModes.Color | ImreadModes.IgnoreOrientation,
        { Reduction: 2 } => ImreadModes.ReducedColor2,
        { Reduction: 4 } => ImreadModes.ReducedColor4,
        { Reduction: 8 } => ImreadModes.ReducedColor8,
        _ => ImreadModes.Color,
    };

    private static DecodedImage DecodeWithOpenCv(byte[] encoded, EncodedImageInfo info, ImreadModes modes, bool bgr)
    {
        var name = ImageHeader.NameOf(info.Format);
        Mat decoded;
        try
        {
            // libjpeg reads a JPEG up to its end-of-image marker and ignores what follows (one cut short was refused).
            decoded = Cv2.ImDecode(encoded, modes);
        }
        catch (OpenCVException e)
        {
            throw new UndecodableImageException($"The {name} image could not be decoded: {e.ErrMsg}", e);
        }
        catch (OpenCvSharpException e)
        {
            throw new UndecodableImageException($"The {name} image could not be decoded: {e.Message}", e);
        }

        using (decoded)
        {
            if (decoded.Empty() || decoded.Type() != MatType.CV_8UC3)
            {
                throw new UndecodableImageException($"The {name} image is corrupt or truncated (the decoder gave no pixels).");
            }

            int width = decoded.Cols, height = decoded.Rows;
            var pixels = new byte[(long)width * height * 3];
            int rowBytes = width * 3;
            if (decoded.IsContinuous())
            {
                Marshal.Copy(decoded.Data, pixels, 0, pixels.Length);
            }
            else
            {
                for (int y = 0; y < height; y++) Marshal.Copy(decoded.Ptr(y), pixels, y * rowBytes, rowBytes);
            }

            if (!bgr) SwapRedAndBlue(pixels);
            if (info.Reduction == 1) return new DecodedImage(width, height, pixels);

            // The header's size is before EXIF orientation; a rotated image comes out with its sides swapped.
            bool rotated = width != info.DecodedWidth || height != info.DecodedHeight;
            return rotated
                ? new DecodedImage(width, height, pixels, info.Height, info.Width)
                : new DecodedImage(width, height, pixels, info.Width, info.Height);
        }
    }

    private static void SwapRedAndBlue(Span<byte> pixels)
    {
        for (int o = 0; o < pixels.Length; o += 3) (pixels[o], pixels[o + 2]) = (pixels[o + 2], pixels[o]);
    }

    private (int Width, int Height) TiffSize(byte[] encoded)
    {
        var info = GuardImageSharp(() => SixLabors.ImageSharp.Image.Identify(_imageSharp, encoded, out _), "TIFF")
                   ?? throw new UndecodableImageException("The TIFF header could not be read.");
        if (info.Width < 1 || info.Height < 1) throw new UndecodableImageException("The TIFF image has no pixels.");
        return (info.Width, info.Height);
    }

    /// <summary>GIF: ImageSharp's decoder (first frame); the authors' OpenCV 4.6 cannot read GIF at all.</summary>
    private DecodedImage DecodeGif(byte[] encoded, bool bgr) => GuardImageSharp(() =>
    {
        using var image = SixLabors.ImageSharp.Image.Load<Rgb24>(_imageSharp, encoded);
        var pixels = new byte[(long)image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        if (bgr) SwapRedAndBlue(pixels);
        return new DecodedImage(image.Width, image.Height, pixels);
    }, "GIF");

    /// <summary>Maps ImageSharp's decoding failures onto the typed image errors.</summary>
    private static T GuardImageSharp<T>(Func<T> decode, string format)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InvalidImageException))
        {
            // Decoders fed hostile bytes can fail in unplanned ways; to the caller it is still a bad image.
            throw new UndecodableImageException($"The {format} image could not be decoded: {e.Message}", e);
        }
    }
}
