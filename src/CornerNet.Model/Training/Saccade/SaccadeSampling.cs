namespace CornerNet.Model.Training.Saccade;

/// <summary>
/// The steps of CornerNet-Saccade's training sampler (the authors' core/sample/cornernet_saccade.py), each a function of
/// its inputs and the draws it makes, in the authors' order and arithmetic (boxes are float32 as their arrays).
/// <see cref="SaccadeSampler"/> runs them in order.
/// </summary>
public static class SaccadeSampling
{
    /// <summary>
    /// The authors' <c>ref_scale</c> (without random crops, as CornerNet_Saccade.json trains): one object is drawn as the
    /// reference and the image scaled so that its longer side becomes an integer drawn from 96-254 px if it is longer
    /// than 96, from 32-96 px if longer than 32, else from 16-32 px. Null without objects.
    /// </summary>
    public static (double Scale, int Index)? ReferenceScale(IReadOnlyList<TrainingBox> boxes, ISamplingDraws draws)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(draws);
        if (boxes.Count == 0) return null;
        var index = draws.RandInt(0, boxes.Count);
        var box = boxes[index];
        var longer = Math.Max(box.Y2 - box.Y1, box.X2 - box.X1);
        var size = longer > 96 ? draws.RandInt(96, 255) : longer > 32 ? draws.RandInt(32, 97) : draws.RandInt(16, 33);
        return (size / (double)longer, index);
    }

    /// <summary>Boxes scaled with the image: each coordinate times the float32 scale, in float32 (numpy's in-place
    /// product of a float32 array and a float64 scalar).</summary>
    public static List<TrainingBox> Scale(IReadOnlyList<TrainingBox> boxes, double scale)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        var s = (float)scale;
        return [.. boxes.Select(b => b with { X1 = b.X1 * s, Y1 = b.Y1 * s, X2 = b.X2 * s, Y2 = b.Y2 * s })];
    }

    /// <summary>The scaled image's size, <c>int(side * scale)</c> (at least one pixel).</summary>
    public static (int Height, int Width) ScaledSize(int height, int width, double scale) =>
        (Math.Max(1, (int)(height * scale)), Math.Max(1, (int)(width * scale)));

    /// <summary>
    /// The crop centre of the authors' <c>crop_image_dets</c> in the scaled image (y, x). Per axis: the image's middle if
    /// it is not larger than the input; otherwise, with a reference box and a "centred" draw, a point within 14 px of the
    /// box's middle; else a position that keeps the reference box inside the crop (any position without one).
    /// </summary>
    public static (int Y, int X) CropCenter(int imageHeight, int imageWidth, TrainingBox? reference, int inputHeight, int inputWidth,
        bool randomCenter, int centerJitter, ISamplingDraws draws)
    {
        ArgumentNullException.ThrowIfNull(draws);
        var centred = randomCenter && draws.Uniform() > 0.5;
        var x = Axis(imageWidth, inputWidth, reference?.X1, reference?.X2);
        var y = Axis(imageHeight, inputHeight, reference?.Y1, reference?.Y2);
        return (y, x);

        int Axis(int imageSize, int inputSize, float? low, float? high)
        {
            if (imageSize <= inputSize) return imageSize / 2;
            if (low is not { } start || high is not { } end || !centred)
            {
                double first = low is null ? 0 : Math.Max(high!.Value - inputSize, 0f);
                double last = low is null ? imageSize - inputSize : Math.Min(imageSize - inputSize, low.Value);
                return Between(first, last) + inputSize / 2;
            }

            double middle = MathF.Floor((start + end) / 2);
            var from = Math.Max(middle - draws.RandInt(0, centerJitter), 0);
            var to = Math.Min(middle + draws.RandInt(0, centerJitter), imageSize - 1);
            return Between(from, to);
        }

        // numpy's randint(int(low), int(high) + 1). The authors' code fails when low > high (a reference box wider than
        // the input, which their scales never make at their input size); here the range then shrinks to low.
        int Between(double low, double high) => draws.RandInt((int)low, Math.Max((int)low, (int)high) + 1);
    }

    /// <summary>
    /// The authors' <c>crop_image</c> geometry for an input-sized crop centred on <paramref name="center"/>: the region of
    /// the crop that holds image (top, bottom, left, right; bottom and right exclusive), the part of the image copied
    /// there (from y0, x0, of the region's size), and the offset that maps image to crop pixels (crop = image - offset).
    /// </summary>
    public static SaccadeCropWindow CropWindow((int Y, int X) center, int inputHeight, int inputWidth, int imageHeight, int imageWidth)
    {
        var (cy, cx) = center;
        var x0 = Math.Max(0, cx - inputWidth / 2);
        var x1 = Math.Min(cx + inputWidth / 2, imageWidth);
        var y0 = Math.Max(0, cy - inputHeight / 2);
        var y1 = Math.Min(cy + inputHeight / 2, imageHeight);
        var (canvasY, canvasX) = (inputHeight / 2, inputWidth / 2);
        return new SaccadeCropWindow(canvasY - (cy - y0), canvasY + (y1 - cy), canvasX - (cx - x0), canvasX + (x1 - cx), y0, x0,
            cy - inputHeight / 2, cx - inputWidth / 2);
    }

    /// <summary>Boxes moved from image to crop pixels (float32, as the authors' in-place subtraction).</summary>
    public static List<TrainingBox> Shift(IReadOnlyList<TrainingBox> boxes, int offsetY, int offsetX)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        return [.. boxes.Select(b => b with { X1 = b.X1 - offsetX, Y1 = b.Y1 - offsetY, X2 = b.X2 - offsetX, Y2 = b.Y2 - offsetY })];
    }

    /// <summary>Boxes mirrored with the crop: x -> width - x - 1, corners swapped (float32).</summary>
    public static List<TrainingBox> Flip(IReadOnlyList<TrainingBox> boxes, int width)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        return [.. boxes.Select(b => b with { X1 = width - b.X2 - 1, X2 = width - b.X1 - 1 })];
    }

    /// <summary>
    /// The authors' <c>create_attention_mask</c>: for every box (in crop pixels) and every attention map whose size
    /// range holds the box's longer side (both ends included, so a box can mark two maps), a 1 at the cell of the box
    /// centre divided by the map's stride, truncated. Maps are row-major, coarsest first.
    /// </summary>
    public static float[][] AttentionTargets(IReadOnlyList<TrainingBox> boxes, IReadOnlyList<(int Height, int Width)> sizes,
        IReadOnlyList<int> strides, IReadOnlyList<double[]> ranges)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(strides);
        ArgumentNullException.ThrowIfNull(ranges);
        if (strides.Count != sizes.Count || ranges.Count != sizes.Count) throw new ArgumentException("One stride and one size range per attention map.");
        var maps = sizes.Select(s => new float[s.Height * s.Width]).ToArray();
        foreach (var box in boxes)
        {
            var longer = Math.Max(box.X2 - box.X1, box.Y2 - box.Y1);
            for (var level = 0; level < maps.Length; level++)
            {
                if (!(longer >= ranges[level][0] && longer <= ranges[level][1])) continue;
                // numpy: the float32 sum, halved in float64, divided by the stride, cast to int32.
                var x = (int)((double)(box.X1 + box.X2) / 2 / strides[level]);
                var y = (int)((double)(box.Y1 + box.Y2) / 2 / strides[level]);
                var (height, width) = sizes[level];
                if ((uint)x >= (uint)width || (uint)y >= (uint)height)
                {
                    throw new ArgumentOutOfRangeException(nameof(boxes), $"Box centre ({x}, {y}) is outside attention map {level} ({width} x {height}).");
                }

                maps[level][y * width + x] = 1;
            }
        }

        return maps;
    }

    /// <summary>The authors' <c>bbox_overlaps</c>: each box's area over its original's (float32).</summary>
    public static float[] AreaRatios(IReadOnlyList<TrainingBox> boxes, IReadOnlyList<TrainingBox> originals)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(originals);
        if (boxes.Count != originals.Count) throw new ArgumentException("One original per box.", nameof(originals));
        return [.. boxes.Zip(originals, (b, o) => (b.Width * b.Height) / (o.Width * o.Height))];
    }

    /// <summary>Whether the heatmaps learn from a box (in crop pixels): more than <paramref name="minVisibleArea"/> of it
    /// is in the crop and its longer side, of truncated corners, is at least <paramref name="minScale"/>.</summary>
    public static bool IsLearnt(TrainingBox box, float areaRatio, double minVisibleArea, int minScale)
    {
        var longer = Math.Max((int)box.Y2 - (int)box.Y1, (int)box.X2 - (int)box.X1);
        return areaRatio > minVisibleArea && longer >= minScale;
    }
}
