namespace CornerNet.Model.Training;

/// <summary>
/// One image's ground truth at output resolution, as plain arrays (built on loader threads, stacked into tensors later).
/// Heatmaps are [classes, height, width] row-major; offsets are [maxObjects, 2] with x first; indices are y * width + x.
/// </summary>
public sealed class ImageCornerTargets
{
    public ImageCornerTargets(int classCount, int outputHeight, int outputWidth, int maxObjects, bool withValidMasks = false,
        IReadOnlyList<(int Height, int Width)>? attentionSizes = null)
    {
        ClassCount = classCount;
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
        MaxObjects = maxObjects;
        TopLeftHeat = new float[classCount * outputHeight * outputWidth];
        BottomRightHeat = new float[classCount * outputHeight * outputWidth];
        TopLeftOffsets = new float[maxObjects * 2];
        BottomRightOffsets = new float[maxObjects * 2];
        TopLeftIndices = new long[maxObjects];
        BottomRightIndices = new long[maxObjects];
        Mask = new bool[maxObjects];
        if (withValidMasks)
        {
            TopLeftValid = new float[classCount * outputHeight * outputWidth];
            BottomRightValid = new float[classCount * outputHeight * outputWidth];
        }

        AttentionSizes = attentionSizes ?? [];
        Attention = [.. AttentionSizes.Select(s => new float[s.Height * s.Width])];
    }

    public int ClassCount { get; }

    public int OutputHeight { get; }

    public int OutputWidth { get; }

    public int MaxObjects { get; }

    public float[] TopLeftHeat { get; }

    public float[] BottomRightHeat { get; }

    public float[] TopLeftOffsets { get; }

    public float[] BottomRightOffsets { get; }

    public long[] TopLeftIndices { get; }

    public long[] BottomRightIndices { get; }

    /// <summary>
    /// CornerNet-Saccade: 1 where the heatmap loss counts a cell, 0 around the corners of objects that are cut by the crop
    /// or too small to learn from (the authors' <c>tl_valids</c>/<c>br_valids</c>); null for CornerNet, where every cell counts.
    /// </summary>
    public float[]? TopLeftValid { get; }

    public float[]? BottomRightValid { get; }

    /// <summary>CornerNet-Saccade: the attention maps' sizes, coarsest first; empty for the other families.</summary>
    public IReadOnlyList<(int Height, int Width)> AttentionSizes { get; }

    /// <summary>CornerNet-Saccade: per attention map, 1 at the centre cell of each object of that map's size range.</summary>
    public IReadOnlyList<float[]> Attention { get; }

    /// <summary>True for the first <see cref="ObjectCount"/> slots.</summary>
    public bool[] Mask { get; }

    /// <summary>Objects recorded in the tag/offset slots (at most <see cref="MaxObjects"/>).</summary>
    public int ObjectCount { get; internal set; }

    /// <summary>Boxes drawn into the heatmaps (may exceed <see cref="ObjectCount"/> when slots run out).</summary>
    public int DrawnCount { get; internal set; }

    /// <summary>A valid-mask plane of one class (<see cref="TopLeftValid"/> must exist).</summary>
    public Span<float> TopLeftValidPlane(int classIndex) => TopLeftValid.AsSpan(classIndex * OutputHeight * OutputWidth, OutputHeight * OutputWidth);

    public Span<float> BottomRightValidPlane(int classIndex) => BottomRightValid.AsSpan(classIndex * OutputHeight * OutputWidth, OutputHeight * OutputWidth);

    /// <summary>The heatmap plane of one class.</summary>
    public Span<float> TopLeftPlane(int classIndex) => TopLeftHeat.AsSpan(classIndex * OutputHeight * OutputWidth, OutputHeight * OutputWidth);

    public Span<float> BottomRightPlane(int classIndex) => BottomRightHeat.AsSpan(classIndex * OutputHeight * OutputWidth, OutputHeight * OutputWidth);
}
