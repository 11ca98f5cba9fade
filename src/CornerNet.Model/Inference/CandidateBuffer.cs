namespace CornerNet.Model.Inference;

/// <summary>
/// Decoded boxes of one image over all scales and mirrors, already in (capped) image pixels, in the order the
/// authors concatenate them.
/// </summary>
internal sealed class CandidateBuffer(int capacity)
{
    public CornerDetection[] Rows { get; } = new CornerDetection[capacity];

    public int Count { get; private set; }

    /// <summary>
    /// Appends the kept boxes of one decoded image (rejected pairs, score -1, are dropped), undoing the mirror,
    /// the output-grid ratio, the canvas border, the clip and the scale exactly as _rescale_dets does, in float32.
    /// </summary>
    public void AddMapped(ReadOnlySpan<CornerDetection> decoded, in CanvasGeometry geometry, bool mirrored)
    {
        float outputWidth = geometry.OutputWidth, scale = (float)geometry.Scale;
        float maxX = geometry.ResizedWidth, maxY = geometry.ResizedHeight;
        foreach (ref readonly var box in decoded)
        {
            if (!(box.Score > -1)) continue;
            float x1 = box.X1, y1 = box.Y1, x2 = box.X2, y2 = box.Y2;
            if (mirrored)
            {
                // A mirrored column x maps back to out_w - x (not out_w - 1 - x), and left and right swap.
                (x1, x2) = (outputWidth - x2, outputWidth - x1);
            }

            Rows[Count++] = box with
            {
                X1 = Math.Clamp(x1 / geometry.WidthRatio - geometry.BorderLeft, 0, maxX) / scale,
                Y1 = Math.Clamp(y1 / geometry.HeightRatio - geometry.BorderTop, 0, maxY) / scale,
                X2 = Math.Clamp(x2 / geometry.WidthRatio - geometry.BorderLeft, 0, maxX) / scale,
                Y2 = Math.Clamp(y2 / geometry.HeightRatio - geometry.BorderTop, 0, maxY) / scale,
            };
        }
    }
}
