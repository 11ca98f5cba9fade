namespace CornerNet.Model.Inference;

/// <summary>
/// Decoded boxes of one image over all scales and mirrors, already in (capped) image pixels, in the order the
/// authors concatenate them. Rows of <see cref="CornerDecoder.RowLength"/> floats.
/// </summary>
internal sealed class CandidateBuffer(int capacity)
{
    public float[] Rows { get; } = new float[capacity * CornerDecoder.RowLength];

    public int Count { get; private set; }

    /// <summary>
    /// Appends the kept rows of one decoded image (rejected pairs, score -1, are dropped), undoing the mirror,
    /// the output-grid ratio, the canvas border, the clip and the scale exactly as _rescale_dets does, in float32.
    /// </summary>
    public void AddMapped(ReadOnlySpan<float> decoded, in CanvasGeometry geometry, bool mirrored)
    {
        float outputWidth = geometry.OutputWidth, scale = (float)geometry.Scale;
        float maxX = geometry.ResizedWidth, maxY = geometry.ResizedHeight;
        for (int r = 0; r + CornerDecoder.RowLength <= decoded.Length; r += CornerDecoder.RowLength)
        {
            if (!(decoded[r + 4] > -1)) continue;
            float x1 = decoded[r], y1 = decoded[r + 1], x2 = decoded[r + 2], y2 = decoded[r + 3];
            if (mirrored)
            {
                // A mirrored column x maps back to out_w - x (not out_w - 1 - x), and left and right swap.
                (x1, x2) = (outputWidth - x2, outputWidth - x1);
            }

            var row = Rows.AsSpan(Count * CornerDecoder.RowLength, CornerDecoder.RowLength);
            row[0] = Math.Clamp(x1 / geometry.WidthRatio - geometry.BorderLeft, 0, maxX) / scale;
            row[1] = Math.Clamp(y1 / geometry.HeightRatio - geometry.BorderTop, 0, maxY) / scale;
            row[2] = Math.Clamp(x2 / geometry.WidthRatio - geometry.BorderLeft, 0, maxX) / scale;
            row[3] = Math.Clamp(y2 / geometry.HeightRatio - geometry.BorderTop, 0, maxY) / scale;
            decoded.Slice(r + 4, 4).CopyTo(row[4..]);
            Count++;
        }
    }
}
