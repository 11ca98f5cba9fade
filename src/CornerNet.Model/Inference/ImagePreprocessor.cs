using System.Buffers;

namespace CornerNet.Model.Inference;

/// <summary>
/// Builds the network input of one image at one scale in a single pass over the destination: resize
/// (cv2 INTER_LINEAR semantics when the scale is not 1), centre in the canvas as crop_image does, divide by 255,
/// subtract the mean and divide by the standard deviation (so the padding becomes -mean/std). Optionally writes
/// the horizontal mirror at the same time.
/// </summary>
public static class ImagePreprocessor
{
    private const int Channels = 3;

    /// <summary>
    /// Writes the planar [3, CanvasHeight, CanvasWidth] input into <paramref name="canvas"/> and, when
    /// <paramref name="mirror"/> is not empty, its left-right mirror into <paramref name="mirror"/>.
    /// </summary>
    /// <param name="image">Pixels in the network's channel order.</param>
    /// <param name="geometry">From <see cref="CanvasGeometry.For"/> with the image's own size.</param>
    /// <param name="mean">Per-channel mean in the image's channel order, 0..1 scale.</param>
    /// <param name="std">Per-channel standard deviation in the image's channel order.</param>
    /// <param name="canvas">3 × CanvasHeight × CanvasWidth floats.</param>
    /// <param name="mirror">Same size as <paramref name="canvas"/>, or empty for no mirror.</param>
    /// <param name="singlePrecision">Normalise as CornerNet-Lite does (pixel / 255 rounded to float32, then the mean subtracted
    /// and the std divided in float32) instead of CornerNet's double arithmetic.</param>
    public static void Fill(DecodedImage image, in CanvasGeometry geometry, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, Span<float> canvas, Span<float> mirror, bool singlePrecision = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Height != geometry.SourceHeight || image.Width != geometry.SourceWidth)
        {
            throw new ArgumentException($"Geometry is for {geometry.SourceWidth}x{geometry.SourceHeight}, image is {image.Width}x{image.Height}.", nameof(geometry));
        }

        if (mean.Length != Channels || std.Length != Channels) throw new ArgumentException("mean and std need 3 entries.");
        int height = geometry.CanvasHeight, width = geometry.CanvasWidth, plane = height * width;
        if (canvas.Length != Channels * plane) throw new ArgumentException($"canvas needs {Channels * plane} floats, has {canvas.Length}.", nameof(canvas));
        bool withMirror = !mirror.IsEmpty;
        if (withMirror && mirror.Length != canvas.Length) throw new ArgumentException("mirror must be as large as canvas.", nameof(mirror));

        // Same arithmetic as the authors: CornerNet (v / 255 - mean) / std in double, stored as float32; CornerNet-Lite
        // stores v / 255 as float32 and normalises that tensor in float32.
        Span<float> lookup = stackalloc float[Channels * 256];
        for (int c = 0; c < Channels; c++)
        {
            for (int v = 0; v < 256; v++)
            {
                lookup[c * 256 + v] = singlePrecision ? ((float)(v / 255.0) - mean[c]) / std[c] : (float)((v / 255.0 - mean[c]) / std[c]);
            }
        }

        FillPadding(geometry, geometry.BorderLeft, lookup, canvas);
        if (withMirror) FillPadding(geometry, geometry.CanvasWidth - geometry.BorderLeft - geometry.CopiedWidth, lookup, mirror);

        bool resize = geometry.ResizedWidth != image.Width || geometry.ResizedHeight != image.Height;
        var resizer = resize ? new LinearResizer(image, geometry.ResizedWidth, geometry.ResizedHeight) : null;
        byte[]? rented = resize ? ArrayPool<byte>.Shared.Rent(geometry.ResizedWidth * Channels) : null;
        try
        {
            var lookup0 = lookup[..256];
            var lookup1 = lookup.Slice(256, 256);
            var lookup2 = lookup.Slice(512, 256);
            int copiedWidth = geometry.CopiedWidth;
            for (int y = 0; y < geometry.CopiedHeight; y++)
            {
                ReadOnlySpan<byte> row;
                if (resizer is not null)
                {
                    var buffer = rented.AsSpan(0, geometry.ResizedWidth * Channels);
                    resizer.ResizeRow(y, buffer);
                    row = buffer;
                }
                else
                {
                    row = image.Pixels.AsSpan(y * image.Width * Channels, image.Width * Channels);
                }

                int rowStart = (geometry.BorderTop + y) * width;
                var c0 = canvas.Slice(rowStart + geometry.BorderLeft, copiedWidth);
                var c1 = canvas.Slice(plane + rowStart + geometry.BorderLeft, copiedWidth);
                var c2 = canvas.Slice(2 * plane + rowStart + geometry.BorderLeft, copiedWidth);
                for (int x = 0, s = 0; x < copiedWidth; x++, s += Channels)
                {
                    c0[x] = lookup0[row[s]];
                    c1[x] = lookup1[row[s + 1]];
                    c2[x] = lookup2[row[s + 2]];
                }

                if (withMirror)
                {
                    // Mirror column of canvas column (left + x) is width - 1 - left - x.
                    int mirrorStart = rowStart + width - geometry.BorderLeft - copiedWidth;
                    Mirror(c0, mirror.Slice(mirrorStart, copiedWidth));
                    Mirror(c1, mirror.Slice(plane + mirrorStart, copiedWidth));
                    Mirror(c2, mirror.Slice(2 * plane + mirrorStart, copiedWidth));
                }
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Mirror(ReadOnlySpan<float> source, Span<float> destination)
    {
        source.CopyTo(destination);
        destination.Reverse();
    }

    /// <summary>Sets every canvas cell outside the copied image to the normalised value of 0.</summary>
    private static void FillPadding(in CanvasGeometry g, int left, ReadOnlySpan<float> lookup, Span<float> canvas)
    {
        int height = g.CanvasHeight, width = g.CanvasWidth, plane = height * width;
        for (int c = 0; c < Channels; c++)
        {
            float pad = lookup[c * 256];
            var p = canvas.Slice(c * plane, plane);
            p[..(g.BorderTop * width)].Fill(pad);
            p[((g.BorderTop + g.CopiedHeight) * width)..].Fill(pad);
            for (int y = g.BorderTop; y < g.BorderTop + g.CopiedHeight; y++)
            {
                p.Slice(y * width, left).Fill(pad);
                int right = y * width + left + g.CopiedWidth;
                p[right..((y + 1) * width)].Fill(pad);
            }
        }
    }
}
