using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CornerNet.Model.Inference;

/// <summary>
/// Turns encoded image bytes into the 8-bit 3-channel pixels the authors got from <c>cv2.imread</c>:
/// EXIF orientation applied, alpha dropped (not composited), grey and palette expanded, 16-bit reduced to its
/// high byte. Only allow-listed formats are decoded, and the pixel count is checked from the header first.
/// Thread-safe.
/// </summary>
public sealed class ImageLoader
{
    private readonly Configuration _allowed;
    private readonly ImageDecodingOptions _options;

    public ImageLoader(ImageDecodingOptions? options = null)
    {
        _options = (options ?? new ImageDecodingOptions()).Validate();
        var modules = new List<IConfigurationModule>
        {
            new JpegConfigurationModule(),
            new PngConfigurationModule(),
            new BmpConfigurationModule(),
            new WebpConfigurationModule(),
        };
        if (_options.AllowGif) modules.Add(new GifConfigurationModule());
        if (_options.AllowTiff) modules.Add(new TiffConfigurationModule());
        // One thread per image: a server decodes many images at once while libtorch holds the cores, and fanning
        // one decode out to the thread pool then only adds waiting (medians 2-10x worse under load, measured).
        _allowed = new Configuration([.. modules]) { MaxDegreeOfParallelism = 1 };
    }

    public ImageDecodingOptions Options => _options;

    /// <summary>Decodes <paramref name="encoded"/> into pixels in BGR (<paramref name="bgr"/>) or RGB order.</summary>
    /// <exception cref="UndecodableImageException">Not an image, or corrupt.</exception>
    /// <exception cref="UnsupportedImageFormatException">A known format that is not allowed.</exception>
    /// <exception cref="ImageTooLargeException">More pixels than <see cref="ImageDecodingOptions.MaxPixelCount"/>.</exception>
    public DecodedImage Load(byte[] encoded, bool bgr)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length == 0) throw new UndecodableImageException("The image is empty.");

        var format = Image.DetectFormat(_allowed, encoded);
        if (format is null)
        {
            // Tell "a format we refuse" apart from "not an image at all".
            var known = Image.DetectFormat(Configuration.Default, encoded);
            throw known is not null
                ? new UnsupportedImageFormatException(known.Name)
                : new UndecodableImageException("The bytes are not an image in a known format.");
        }

        var info = Guard(() => Image.Identify(_allowed, encoded, out _), format)
                   ?? throw new UndecodableImageException($"The {format.Name} header could not be read.");
        if (info.Width < 1 || info.Height < 1) throw new UndecodableImageException($"The {format.Name} image has no pixels.");
        if ((long)info.Width * info.Height > _options.MaxPixelCount)
        {
            throw new ImageTooLargeException(info.Width, info.Height, $"at most {_options.MaxPixelCount} pixels are accepted");
        }

        if (Math.Max(info.Width, info.Height) > _options.MaxSide)
        {
            throw new ImageTooLargeException(info.Width, info.Height, $"sides of at most {_options.MaxSide} pixels are accepted");
        }

        // ImageSharp fills a truncated JPEG with grey and reports success; a cut-off upload is a client error.
        if (format is JpegFormat && !EndsWithEndOfImage(encoded))
        {
            throw new UndecodableImageException("The JPEG image is truncated (no end-of-image marker).");
        }

        // OpenCV keeps the high byte of 16-bit PNG samples; ImageSharp would round instead.
        bool sixteenBit = format is PngFormat && info.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16;
        return sixteenBit
            ? Guard(() => Convert<Rgb48>(Image.Load<Rgb48>(_allowed, encoded), bgr, HighBytes), format)
            : Guard(() => Convert<Rgb24>(Image.Load<Rgb24>(_allowed, encoded), bgr, Bytes), format);
    }

    private delegate void RowToRgb<TPixel>(ReadOnlySpan<TPixel> row, Span<byte> rgb) where TPixel : unmanaged, IPixel<TPixel>;

    /// <summary>A complete JPEG ends with the EOI marker (FF D9), possibly followed by a little padding.</summary>
    private static bool EndsWithEndOfImage(ReadOnlySpan<byte> encoded)
    {
        var tail = encoded[Math.Max(0, encoded.Length - 1024)..];
        return tail.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
    }

    private static void Bytes(ReadOnlySpan<Rgb24> row, Span<byte> rgb) => MemoryMarshal.AsBytes(row).CopyTo(rgb);

    private static void HighBytes(ReadOnlySpan<Rgb48> row, Span<byte> rgb)
    {
        for (int x = 0, o = 0; x < row.Length; x++, o += 3)
        {
            rgb[o] = (byte)(row[x].R >> 8);
            rgb[o + 1] = (byte)(row[x].G >> 8);
            rgb[o + 2] = (byte)(row[x].B >> 8);
        }
    }

    private static DecodedImage Convert<TPixel>(Image<TPixel> image, bool bgr, RowToRgb<TPixel> rowToRgb)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using (image)
        {
            var exif = image.Metadata.ExifProfile;
            if (exif is not null && exif.GetValue(ExifTag.Orientation) is { } orientation && orientation.Value is not (0 or 1))
            {
                image.Mutate(x => x.AutoOrient());
            }

            int width = image.Width, height = image.Height;
            var pixels = new byte[(long)width * height * 3];
            image.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < height; y++)
                {
                    var dst = pixels.AsSpan(y * width * 3, width * 3);
                    rowToRgb(rows.GetRowSpan(y), dst);
                    if (bgr)
                    {
                        for (int o = 0; o < dst.Length; o += 3) (dst[o], dst[o + 2]) = (dst[o + 2], dst[o]);
                    }
                }
            });
            return new DecodedImage(width, height, pixels);
        }
    }

    /// <summary>Maps ImageSharp's decoding failures onto the typed image errors.</summary>
    private static T Guard<T>(Func<T> decode, IImageFormat format)
    {
        try
        {
            return decode();
        }
        catch (InvalidImageContentException e)
        {
            throw new UndecodableImageException($"The {format.Name} image is corrupt: {e.Message}", e);
        }
        catch (UnknownImageFormatException e)
        {
            throw new UndecodableImageException($"The image could not be decoded: {e.Message}", e);
        }
        catch (ImageFormatException e)
        {
            throw new UndecodableImageException($"The {format.Name} image could not be decoded: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new UnsupportedImageFormatException($"{format.Name} ({e.Message})");
        }
        catch (InvalidMemoryOperationException e)
        {
            throw new UndecodableImageException($"The {format.Name} image needs more memory than allowed: {e.Message}", e);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InvalidImageException))
        {
            // Decoders fed hostile bytes can fail in unplanned ways; to the caller it is still a bad image.
            throw new UndecodableImageException($"The {format.Name} image could not be decoded: {e.Message}", e);
        }
    }
}
