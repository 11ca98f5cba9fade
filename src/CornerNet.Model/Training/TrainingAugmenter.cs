namespace CornerNet.Model.Training;

/// <summary>
/// The image half of the authors' <c>kp_detection</c> sampler: random crop at a random scale (or the whole image padded
/// to a square), resize to the input size, box clipping, horizontal flip, colour jitter, PCA lighting, normalisation.
/// </summary>
/// <remarks>
/// Stateless apart from its immutable options, so one instance serves every loader thread; all randomness comes from
/// the <see cref="Random"/> passed in (one per thread), which makes a seeded run reproducible. The crop is never
/// materialised: each output pixel samples the source through the crop mapping, and the colour steps are folded into
/// one affine map per pixel, so an image costs two passes and the output array.
/// </remarks>
public sealed class TrainingAugmenter
{
    // OpenCV's BGR -> gray weights (the authors' grayscale is cv2.cvtColor(image, COLOR_BGR2GRAY)).
    private const float GrayBlue = 0.114f;
    private const float GrayGreen = 0.587f;
    private const float GrayRed = 0.299f;

    public TrainingAugmenter(AugmentationOptions options)
    {
        Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
    }

    public AugmentationOptions Options { get; }

    /// <summary>Augments with a fresh generator seeded by <paramref name="seed"/>.</summary>
    public AugmentedSample Augment(ReadOnlySpan<byte> bgr, int width, int height, IReadOnlyList<TrainingBox> boxes, int seed) =>
        Augment(bgr, width, height, boxes, new Random(seed));

    /// <summary>
    /// Augments one decoded image: <paramref name="bgr"/> is height x width x 3 bytes, B, G, R per pixel;
    /// <paramref name="boxes"/> are in its pixels. <paramref name="random"/> must not be shared between threads.
    /// </summary>
    public AugmentedSample Augment(ReadOnlySpan<byte> bgr, int width, int height, IReadOnlyList<TrainingBox> boxes, Random random)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (bgr.Length != (long)width * height * 3)
        {
            throw new ArgumentException($"Expected {width} x {height} x 3 = {(long)width * height * 3} bytes, got {bgr.Length}.", nameof(bgr));
        }

        var options = Options;
        var crop = options.RandomCrop ? RandomCrop(width, height, random) : FullImageCrop(width, height);

        // Boxes follow the image: into the crop canvas, scaled to the input size, clipped (authors' order).
        var scaleX = (double)options.InputWidth / crop.Width;
        var scaleY = (double)options.InputHeight / crop.Height;
        var shiftX = crop.PasteX - crop.SourceX;
        var shiftY = crop.PasteY - crop.SourceY;
        var moved = boxes.Select(b => b with
        {
            X1 = (float)((b.X1 + shiftX) * scaleX),
            X2 = (float)((b.X2 + shiftX) * scaleX),
            Y1 = (float)((b.Y1 + shiftY) * scaleY),
            Y2 = (float)((b.Y2 + shiftY) * scaleY),
        });
        var kept = CornerTargetBuilder.ClipToImage(moved, options.InputHeight, options.InputWidth);

        var flipped = options.HorizontalFlip && random.NextDouble() > 0.5;
        if (flipped)
        {
            // The authors mirror pixel indices: x -> width - x - 1, with the corners swapped.
            var w = options.InputWidth;
            for (var i = 0; i < kept.Count; i++)
            {
                var b = kept[i];
                kept[i] = b with { X1 = w - b.X2 - 1, X2 = w - b.X1 - 1 };
            }
        }

        var pixels = new float[3 * options.InputHeight * options.InputWidth];
        var graySum = ResizeInto(pixels, bgr, width, crop, flipped);
        ColourAndNormalise(pixels, graySum, random);

        return new AugmentedSample(pixels, options.InputHeight, options.InputWidth, kept)
        {
            Scale = crop.Scale,
            Flipped = flipped,
        };
    }

    /// <summary>
    /// The colour half of the pipeline on an input-sized image already in <paramref name="planes"/> (B, G, R planes,
    /// 0..1): colour jitter and PCA lighting as the options ask, then (x - mean) / std, in place. Draws from
    /// <paramref name="random"/> in the order <see cref="Augment(ReadOnlySpan{byte}, int, int, IReadOnlyList{TrainingBox}, Random)"/> does.
    /// </summary>
    public void ColourAndNormalise(float[] planes, Random random)
    {
        ArgumentNullException.ThrowIfNull(planes);
        ArgumentNullException.ThrowIfNull(random);
        var planeSize = Options.InputHeight * Options.InputWidth;
        if (planes.Length != 3 * planeSize) throw new ArgumentException($"Expected 3 x {Options.InputHeight} x {Options.InputWidth} values, got {planes.Length}.", nameof(planes));
        var graySum = 0.0;
        for (var i = 0; i < planeSize; i++)
        {
            graySum += GrayBlue * planes[i] + GrayGreen * planes[planeSize + i] + GrayRed * planes[2 * planeSize + i];
        }

        ColourAndNormalise(planes, graySum, random);
    }

    private void ColourAndNormalise(float[] planes, double graySum, Random random)
    {
        var options = Options;
        var colour = options.ColorJitter ? DrawColourJitter(random, graySum / ((double)options.InputHeight * options.InputWidth)) : ColourTransform.Identity;
        var lighting = options.Lighting ? DrawLighting(random) : new double[3];
        ApplyColourAndNormalise(planes, colour, lighting);
    }

    /// <summary>The authors' <c>_get_border</c>: halve the border until a centre can be drawn between the borders.</summary>
    internal static int GetBorder(int border, int size)
    {
        var divisor = 1;
        while (size - border / divisor <= border / divisor) divisor *= 2;
        return border / divisor;
    }

    /// <summary>The authors' <c>random_crop</c>: a scale, then a centre, then the pasted region.</summary>
    private CropGeometry RandomCrop(int width, int height, Random random)
    {
        var scale = Options.Scales[random.Next(Options.Scales.Length)];
        var cropHeight = (int)(Options.InputHeight * scale);
        var cropWidth = (int)(Options.InputWidth * scale);
        var widthBorder = GetBorder(Options.Border, width);
        var heightBorder = GetBorder(Options.Border, height);
        var centerX = random.Next(widthBorder, width - widthBorder);
        var centerY = random.Next(heightBorder, height - heightBorder);
        return CropGeometry.Around(centerX, centerY, cropWidth, cropHeight, width, height, scale);
    }

    /// <summary>The authors' <c>_full_image_crop</c>: a centred square as large as the longer side.</summary>
    private static CropGeometry FullImageCrop(int width, int height)
    {
        var side = Math.Max(width, height);
        return CropGeometry.Around(width / 2, height / 2, side, side, width, height, 1);
    }

    /// <summary>
    /// Bilinear resize of the (virtual, zero-padded) crop canvas to the input size with OpenCV's INTER_LINEAR pixel
    /// mapping, rounded to bytes as cv2.resize does for uint8, scaled to 0..1 and written as B, G, R planes (mirrored
    /// if <paramref name="flipped"/>). Returns the sum of the grayscale over the image.
    /// </summary>
    private double ResizeInto(float[] planes, ReadOnlySpan<byte> source, int sourceWidth, CropGeometry crop, bool flipped)
    {
        var outHeight = Options.InputHeight;
        var outWidth = Options.InputWidth;
        var columns = SampleTaps(outWidth, crop.Width, crop.PasteX, crop.SourceX, crop.PasteWidth);
        var rows = SampleTaps(outHeight, crop.Height, crop.PasteY, crop.SourceY, crop.PasteHeight);
        var planeSize = outHeight * outWidth;
        var graySum = 0.0;
        Span<float> bgr = stackalloc float[3];

        for (var y = 0; y < outHeight; y++)
        {
            var (row0, row1, fy) = (rows.First[y], rows.Second[y], rows.Weight[y]);
            var rowGray = 0.0;
            for (var x = 0; x < outWidth; x++)
            {
                var (col0, col1, fx) = (columns.First[x], columns.Second[x], columns.Weight[x]);
                var target = y * outWidth + (flipped ? outWidth - 1 - x : x);
                for (var c = 0; c < 3; c++)
                {
                    var top = (1 - fx) * Tap(source, sourceWidth, row0, col0, c) + fx * Tap(source, sourceWidth, row0, col1, c);
                    var bottom = (1 - fx) * Tap(source, sourceWidth, row1, col0, c) + fx * Tap(source, sourceWidth, row1, col1, c);
                    var value = MathF.Floor((1 - fy) * top + fy * bottom + 0.5f) / 255f;
                    bgr[c] = value;
                    planes[c * planeSize + target] = value;
                }

                rowGray += GrayBlue * bgr[0] + GrayGreen * bgr[1] + GrayRed * bgr[2];
            }

            graySum += rowGray;
        }

        return graySum;
    }

    /// <summary>A source byte, or 0 where the tap falls on the crop's zero padding (index -1).</summary>
    private static float Tap(ReadOnlySpan<byte> source, int sourceWidth, int row, int column, int channel) =>
        row < 0 || column < 0 ? 0f : source[(row * sourceWidth + column) * 3 + channel];

    /// <summary>
    /// For each output coordinate, the two source indices (or -1 for padding) and the weight of the second, using
    /// OpenCV's mapping src = (dst + 0.5) * (canvas / output) - 0.5, clamped at the canvas edges.
    /// </summary>
    private static SampleTapTable SampleTaps(int outputSize, int canvasSize, int pasteStart, int sourceStart, int pasteLength)
    {
        var table = new SampleTapTable(new int[outputSize], new int[outputSize], new float[outputSize]);
        var ratio = (double)canvasSize / outputSize;
        for (var i = 0; i < outputSize; i++)
        {
            var position = (i + 0.5) * ratio - 0.5;
            var first = (int)Math.Floor(position);
            var weight = (float)(position - first);
            if (first < 0)
            {
                first = 0;
                weight = 0;
            }

            if (first >= canvasSize - 1)
            {
                first = canvasSize - 1;
                weight = 0;
            }

            var second = Math.Min(first + 1, canvasSize - 1);
            table.First[i] = CanvasToSource(first, pasteStart, sourceStart, pasteLength);
            table.Second[i] = CanvasToSource(second, pasteStart, sourceStart, pasteLength);
            table.Weight[i] = weight;
        }

        return table;
    }

    private static int CanvasToSource(int canvas, int pasteStart, int sourceStart, int pasteLength) =>
        canvas >= pasteStart && canvas < pasteStart + pasteLength ? canvas - pasteStart + sourceStart : -1;

    /// <summary>
    /// The authors' <c>color_jittering_</c>: brightness, contrast and saturation in random order, each with factor
    /// 1 + U(-var, var), against the grayscale taken once before any of them. Each step is affine in the pixel and its
    /// (fixed) gray value, so their composition is too: value = scale * x + offset + grayWeight * gray.
    /// </summary>
    private ColourTransform DrawColourJitter(Random random, double grayMean)
    {
        Span<int> order = [0, 1, 2]; // brightness, contrast, saturation
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        double scale = 1, offset = 0, grayWeight = 0;
        var variance = Options.JitterVariance;
        foreach (var step in order)
        {
            var alpha = 1 + (random.NextDouble() * 2 - 1) * variance;
            scale *= alpha;
            offset *= alpha;
            grayWeight *= alpha;
            switch (step)
            {
                case 1: offset += (1 - alpha) * grayMean; break; // contrast: blend with the mean gray
                case 2: grayWeight += 1 - alpha; break; // saturation: blend with the pixel's gray
            }
        }

        return new ColourTransform(scale, offset, grayWeight);
    }

    /// <summary>The authors' <c>lighting_</c>: add eigvec · (eigval * alpha), alpha ~ N(0, alphastd²), per channel.</summary>
    private double[] DrawLighting(Random random)
    {
        Span<double> alpha = stackalloc double[3];
        for (var k = 0; k < 3; k++) alpha[k] = NextGaussian(random) * Options.LightingStd;
        var shift = new double[3];
        for (var c = 0; c < 3; c++)
        {
            for (var k = 0; k < 3; k++) shift[c] += Options.EigenVectors[c, k] * Options.EigenValues[k] * alpha[k];
        }

        return shift;
    }

    /// <summary>Jitter, lighting and (x - mean) / std in one pass, reordering the planes to RGB if asked.</summary>
    private void ApplyColourAndNormalise(float[] planes, ColourTransform colour, double[] lighting)
    {
        var planeSize = Options.InputHeight * Options.InputWidth;
        var rgb = Options.OutputRgb;
        Span<float> offset = stackalloc float[3];
        Span<float> inverseStd = stackalloc float[3];
        for (var c = 0; c < 3; c++)
        {
            var outputChannel = rgb ? 2 - c : c;
            offset[c] = (float)(colour.Offset + lighting[c]) - Options.Mean[outputChannel];
            inverseStd[c] = 1f / Options.Std[outputChannel];
        }

        var scale = (float)colour.Scale;
        var grayWeight = (float)colour.GrayWeight;
        var blue = planes.AsSpan(0, planeSize);
        var green = planes.AsSpan(planeSize, planeSize);
        var red = planes.AsSpan(2 * planeSize, planeSize);
        for (var i = 0; i < planeSize; i++)
        {
            var (b, g, r) = (blue[i], green[i], red[i]);
            var gray = grayWeight * (GrayBlue * b + GrayGreen * g + GrayRed * r);
            b = (scale * b + gray + offset[0]) * inverseStd[0];
            g = (scale * g + gray + offset[1]) * inverseStd[1];
            r = (scale * r + gray + offset[2]) * inverseStd[2];
            if (rgb) (b, r) = (r, b);
            blue[i] = b;
            green[i] = g;
            red[i] = r;
        }
    }

    private static double NextGaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private readonly record struct ColourTransform(double Scale, double Offset, double GrayWeight)
    {
        public static ColourTransform Identity => new(1, 0, 0);
    }

    private sealed record SampleTapTable(int[] First, int[] Second, float[] Weight);

    /// <summary>
    /// Where the source lands on the crop canvas, as the authors' <c>random_crop</c>/<c>crop_image</c> compute it:
    /// a canvas of Width x Height whose centre is the chosen source point, half-sizes by integer division.
    /// </summary>
    private readonly record struct CropGeometry(int Width, int Height, int SourceX, int SourceY, int PasteX, int PasteY, int PasteWidth, int PasteHeight, double Scale)
    {
        public static CropGeometry Around(int centerX, int centerY, int cropWidth, int cropHeight, int imageWidth, int imageHeight, double scale)
        {
            var x0 = Math.Max(centerX - cropWidth / 2, 0);
            var x1 = Math.Min(centerX + cropWidth / 2, imageWidth);
            var y0 = Math.Max(centerY - cropHeight / 2, 0);
            var y1 = Math.Min(centerY + cropHeight / 2, imageHeight);
            var pasteX = cropWidth / 2 - (centerX - x0);
            var pasteY = cropHeight / 2 - (centerY - y0);
            return new CropGeometry(cropWidth, cropHeight, x0, y0, pasteX, pasteY, x1 - x0, y1 - y0, scale);
        }
    }
}
