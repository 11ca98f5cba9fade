using CornerNet.Model.Architecture;

namespace CornerNet.Model.Training;

/// <summary>
/// Encodes boxes given in network-input pixels as the authors' training targets at output resolution
/// (the target half of <c>kp_detection</c> in sample/coco.py). Immutable, so one instance can serve all loader threads.
/// </summary>
public sealed class CornerTargetBuilder
{
    private readonly double _widthRatio;
    private readonly double _heightRatio;

    public CornerTargetBuilder(int classCount, int inputHeight, int inputWidth, int outputHeight, int outputWidth, CornerTargetOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputWidth, 1);
        ClassCount = classCount;
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
        Options = (options ?? new CornerTargetOptions()).Validate();
        _widthRatio = (double)outputWidth / inputWidth;
        _heightRatio = (double)outputHeight / inputHeight;
    }

    public static CornerTargetBuilder FromSpec(ArchitectureSpec spec, CornerTargetOptions? options = null) =>
        new(spec.ClassCount, spec.InputSize[0], spec.InputSize[1], spec.OutputSize[0], spec.OutputSize[1], options);

    public int ClassCount { get; }

    public int InputHeight { get; }

    public int InputWidth { get; }

    public int OutputHeight { get; }

    public int OutputWidth { get; }

    public CornerTargetOptions Options { get; }

    /// <summary>
    /// The authors' <c>_clip_detections</c>: corners clamped into the input image, then boxes with no width or no
    /// height dropped.
    /// </summary>
    public static List<TrainingBox> ClipToImage(IEnumerable<TrainingBox> boxes, int imageHeight, int imageWidth)
    {
        var kept = new List<TrainingBox>();
        foreach (var box in boxes)
        {
            var clipped = box with
            {
                X1 = Math.Clamp(box.X1, 0, imageWidth - 1),
                X2 = Math.Clamp(box.X2, 0, imageWidth - 1),
                Y1 = Math.Clamp(box.Y1, 0, imageHeight - 1),
                Y2 = Math.Clamp(box.Y2, 0, imageHeight - 1),
            };
            if (clipped.X2 - clipped.X1 > 0 && clipped.Y2 - clipped.Y1 > 0) kept.Add(clipped);
        }

        return kept;
    }

    /// <summary>Targets for one image; <paramref name="boxes"/> are in input pixels with zero-based classes.</summary>
    public ImageCornerTargets Build(IReadOnlyList<TrainingBox> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        var targets = new ImageCornerTargets(ClassCount, OutputHeight, OutputWidth, Options.MaxObjects);

        // The augmenter already clips; doing it again (idempotent) keeps un-augmented inputs in range as well.
        foreach (var box in ClipToImage(boxes, InputHeight, InputWidth))
        {
            if ((uint)box.ClassIndex >= (uint)ClassCount)
            {
                throw new ArgumentOutOfRangeException(nameof(boxes), box.ClassIndex, $"Class index must lie in [0, {ClassCount}).");
            }

            var scaledX1 = box.X1 * _widthRatio;
            var scaledY1 = box.Y1 * _heightRatio;
            var scaledX2 = box.X2 * _widthRatio;
            var scaledY2 = box.Y2 * _heightRatio;
            var x1 = (int)scaledX1;
            var y1 = (int)scaledY1;
            var x2 = (int)scaledX2;
            var y2 = (int)scaledY2;

            // As the authors: the box size is scaled to the output and rounded up before the radius is taken.
            var width = Math.Ceiling(box.Width * _widthRatio);
            var height = Math.Ceiling(box.Height * _heightRatio);
            var radius = GaussianRadius.ComputeInteger(height, width, Options.GaussianMinOverlap);
            GaussianSplat.Draw(targets.TopLeftPlane(box.ClassIndex), OutputHeight, OutputWidth, x1, y1, radius);
            GaussianSplat.Draw(targets.BottomRightPlane(box.ClassIndex), OutputHeight, OutputWidth, x2, y2, radius);
            targets.DrawnCount++;

            // The authors' arrays overflow past max_tag_len; here extra objects still shape the heatmaps but get no
            // tag or offset slot.
            var slot = targets.ObjectCount;
            if (slot >= Options.MaxObjects) continue;
            targets.TopLeftOffsets[2 * slot] = (float)(scaledX1 - x1);
            targets.TopLeftOffsets[2 * slot + 1] = (float)(scaledY1 - y1);
            targets.BottomRightOffsets[2 * slot] = (float)(scaledX2 - x2);
            targets.BottomRightOffsets[2 * slot + 1] = (float)(scaledY2 - y2);
            targets.TopLeftIndices[slot] = (long)y1 * OutputWidth + x1;
            targets.BottomRightIndices[slot] = (long)y2 * OutputWidth + x2;
            targets.Mask[slot] = true;
            targets.ObjectCount++;
        }

        return targets;
    }

    /// <summary>Targets for a batch, stacked into tensors.</summary>
    public CornerTargets BuildBatch(IReadOnlyList<IReadOnlyList<TrainingBox>> boxesPerImage) =>
        CornerTargets.Stack(boxesPerImage.Select(Build).ToList());
}
