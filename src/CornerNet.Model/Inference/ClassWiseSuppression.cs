using System.Buffers;
using CornerNet.Model.Architecture;

namespace CornerNet.Model.Inference;

/// <summary>The last stage of the authors' test procedures (CornerNet's kp_detection, CornerNet-Lite's cornernet and
/// cornernet_saccade): (soft-)NMS within each class, the score floor, and the cap on detections per image.</summary>
internal static class ClassWiseSuppression
{
    /// <summary>Per class (soft-)NMS of <paramref name="all"/> (in the authors' candidate order), the score floor, then
    /// the per-image cap; boxes scaled by <paramref name="backToOriginal"/>, best first.</summary>
    public static IReadOnlyList<Detection> Apply(ReadOnlySpan<CornerDetection> all, ArchitectureSpec spec, DetectorOptions options, (float X, float Y) backToOriginal)
    {
        int classes = spec.ClassCount, count = all.Length;

        // Stable counting sort by class, keeping the authors' candidate order inside each class.
        var classStart = new int[classes + 1];
        for (int r = 0; r < count; r++) classStart[ClassOf(all[r], classes) + 1]++;
        for (int c = 0; c < classes; c++) classStart[c + 1] += classStart[c];
        var next = (int[])classStart.Clone();
        var boxes = ArrayPool<CornerDetection>.Shared.Rent(Math.Max(1, count));
        try
        {
            for (int r = 0; r < count; r++)
            {
                boxes[next[ClassOf(all[r], classes)]++] = all[r];
            }

            var kept = new List<int>();
            float? mergeExponent = options.MergeBoxes ? options.WeightExp : null;
            for (int c = 0; c < classes; c++)
            {
                int start = classStart[c], n = classStart[c + 1] - start;
                int survivors = SoftNms.Apply(boxes.AsSpan(start, n), options.NmsKind, options.NmsThreshold, options.Sigma, options.ScoreFloor, mergeExponent);
                for (int r = start; r < start + survivors; r++)
                {
                    // The original never discards a box that starts below the floor and overlaps nothing; we do.
                    if (boxes[r].Score >= options.ScoreFloor) kept.Add(r);
                }
            }

            float threshold = float.NegativeInfinity;
            if (kept.Count > options.MaxPerImage)
            {
                // The authors keep every box scoring at least the MaxPerImage-th best score, ties included.
                var scores = kept.Select(r => boxes[r].Score).ToArray();
                Array.Sort(scores, (a, b) => b.CompareTo(a));
                threshold = scores[options.MaxPerImage - 1];
            }

            return kept
                .Select(r => boxes[r])
                .Where(box => box.Score >= threshold)
                .Select(box => new Detection(box.Class, spec.Classes[box.Class], box.Score,
                    box.X1 * backToOriginal.X, box.Y1 * backToOriginal.Y, box.X2 * backToOriginal.X, box.Y2 * backToOriginal.Y))
                .OrderByDescending(d => d.Score)
                .ToList();
        }
        finally
        {
            ArrayPool<CornerDetection>.Shared.Return(boxes);
        }
    }

    private static int ClassOf(in CornerDetection box, int classes)
    {
        if ((uint)box.Class >= (uint)classes) throw new InvalidOperationException($"Decoded class {box.Class} is outside 0..{classes - 1}.");
        return box.Class;
    }
}
