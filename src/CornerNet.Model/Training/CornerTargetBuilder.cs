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
    public static List<TrainingBox> ClipToImage(IEnumerable<TrainingBox> boxes, int imageHeight, int imageWidth) =>
        ClipToRegion([.. boxes], 0, imageHeight, 0, imageWidth);

    /// <summary>
    /// The authors' <c>clip_detections</c> of a region (CornerNet-Saccade's, the part of a crop that holds image): x
    /// clamped to [left, right - 1], y to [top, bottom - 1], then boxes with no width or no height dropped.
    /// <paramref name="keptIndices"/>, if given, receives the input index of every box kept.
    /// </summary>
    public static List<TrainingBox> ClipToRegion(IReadOnlyList<TrainingBox> boxes, float top, float bottom, float left, float right, List<int>? keptIndices = null)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        var kept = new List<TrainingBox>();
        for (var i = 0; i < boxes.Count; i++)
        {
            var box = boxes[i];
            var clipped = box with
            {
                X1 = Math.Clamp(box.X1, left, right - 1),
                X2 = Math.Clamp(box.X2, left, right - 1),
                Y1 = Math.Clamp(box.Y1, top, bottom - 1),
                Y2 = Math.Clamp(box.Y2, top, bottom - 1),
            };
            if (clipped.X2 - clipped.X1 > 0 && clipped.Y2 - clipped.Y1 > 0)
            {
                kept.Add(clipped);
                keptIndices?.Add(i);
            }
        }

        return kept;
    }

    /// <summary>Targets for one image; <paramref name="boxes"/> are in input pixels with zero-based classes.</summary>
    public ImageCornerTargets Build(IReadOnlyList<TrainingBox> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        var targets = new ImageCornerTargets(ClassCount, OutputHeight, OutputWidth, Options.MaxObjects);
        AddPositives(targets, boxes);
        return targets;
    }

    /// <summary>
    /// CornerNet-Saccade's targets for one sample (the target half of the authors' <c>cornernet_saccade</c> sampler):
    /// <paramref name="positives"/> as <see cref="Build(IReadOnlyList{TrainingBox})"/>; around the corners of
    /// <paramref name="ignored"/> boxes (cut by the crop, or too small) the valid masks are 0, so the heatmap loss
    /// neither rewards nor punishes a corner there; <paramref name="attention"/> are the attention maps' targets
    /// (<see cref="Saccade.SaccadeSampling.AttentionTargets"/>), copied.
    /// </summary>
    public ImageCornerTargets Build(IReadOnlyList<TrainingBox> positives, IReadOnlyList<TrainingBox> ignored,
        IReadOnlyList<(int Height, int Width)> attentionSizes, IReadOnlyList<float[]> attention)
    {
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(ignored);
        ArgumentNullException.ThrowIfNull(attentionSizes);
        ArgumentNullException.ThrowIfNull(attention);
        var targets = new ImageCornerTargets(ClassCount, OutputHeight, OutputWidth, Options.MaxObjects, withValidMasks: true, attentionSizes);
        if (attention.Count != attentionSizes.Count) throw new ArgumentException("One attention map per size.", nameof(attention));
        for (var level = 0; level < attention.Count; level++) attention[level].CopyTo(targets.Attention[level], 0);

        // The authors splat the ignored boxes' Gaussians into zeroed maps, then keep the cells that stayed 0.
        foreach (var box in ClipToImage(ignored, InputHeight, InputWidth))
        {
            var corners = CornersOf(box, nameof(ignored));
            GaussianSplat.Draw(targets.TopLeftValidPlane(box.ClassIndex), OutputHeight, OutputWidth, corners.X1, corners.Y1, corners.Radius);
            GaussianSplat.Draw(targets.BottomRightValidPlane(box.ClassIndex), OutputHeight, OutputWidth, corners.X2, corners.Y2, corners.Radius);
        }

        foreach (var valid in new[] { targets.TopLeftValid!, targets.BottomRightValid! })
        {
            for (var i = 0; i < valid.Length; i++) valid[i] = valid[i] == 0 ? 1 : 0;
        }

        AddPositives(targets, positives);
        return targets;
    }

    /// <summary>A box's corners at output resolution (truncated, and their fractions) and its Gaussian radius.</summary>
    private (int X1, int Y1, int X2, int Y2, double ScaledX1, double ScaledY1, double ScaledX2, double ScaledY2, int Radius) CornersOf(TrainingBox box, string parameter)
    {
        if ((uint)box.ClassIndex >= (uint)ClassCount)
        {
            throw new ArgumentOutOfRangeException(parameter, box.ClassIndex, $"Class index must lie in [0, {ClassCount}).");
        }

        var scaledX1 = box.X1 * _widthRatio;
        var scaledY1 = box.Y1 * _heightRatio;
        var scaledX2 = box.X2 * _widthRatio;
        var scaledY2 = box.Y2 * _heightRatio;

        // As the authors: the box size is scaled to the output and rounded up before the radius is taken.
        var width = Math.Ceiling(box.Width * _widthRatio);
        var height = Math.Ceiling(box.Height * _heightRatio);
        var radius = GaussianRadius.ComputeInteger(height, width, Options.GaussianMinOverlap);
        return ((int)scaledX1, (int)scaledY1, (int)scaledX2, (int)scaledY2, scaledX1, scaledY1, scaledX2, scaledY2, radius);
    }

    private void AddPositives(ImageCornerTargets targets, IReadOnlyList<TrainingBox> boxes)
    {
        // The augmenter already clips; doing it again (idempotent) keeps un-augmented inputs in range as well.
        foreach (var box in ClipToImage(boxes, InputHeight, InputWidth))
        {
            var (x1, y1, x2, y2, scaledX1, scaledY1, scaledX2, scaledY2, radius) = CornersOf(box, nameof(boxes));
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
    }

    /// <summary>Targets for a batch, stacked into tensors.</summary>
    public CornerTargets BuildBatch(IReadOnlyList<IReadOnlyList<TrainingBox>> boxesPerImage) =>
        CornerTargets.Stack(boxesPerImage.Select(Build).ToList());
}
