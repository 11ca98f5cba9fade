namespace CornerNet.Model.Training;

/// <summary>
/// One image's ground truth at output resolution, as plain arrays (built on loader threads, stacked into tensors later).
/// Heatmaps are [classes, height, width] row-major; offsets are [maxObjects, 2] with x first; indices are y * width + x.
/// </summary>
public sealed class ImageCornerTargets
{
    public ImageCornerTargets(int classCount, int outputHeight, int outputWidth, int maxObjects)
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

    /// <summary>True for the first <see cref="ObjectCount"/> slots.</summary>
    public bool[] Mask { get; }

    /// <summary>Objects recorded in the tag/offset slots (at most <see cref="MaxObjects"/>).</summary>
    public int ObjectCount { get; internal set; }

    /// <summary>Boxes drawn into the heatmaps (may exceed <see cref="ObjectCount"/> when slots run out).</summary>
    public int DrawnCount { get; internal set; }

    /// <summary>The heatmap plane of one class.</summary>
    public Span<float> TopLeftPlane(int classIndex) => TopLeftHeat.AsSpan(classIndex * OutputHeight * OutputWidth, OutputHeight * OutputWidth);

    public Span<float> BottomRightPlane(int classIndex) => BottomRightHeat.AsSpan(classIndex * OutputHeight * OutputWidth, OutputHeight * OutputWidth);
}
