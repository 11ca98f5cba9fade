namespace CornerNet.Model.Inference;

/// <summary>
/// One box as it travels from the corner decoder through the un-mirroring and rescaling of the candidates to
/// (soft-)NMS: the two corners (output-grid units out of the decoder, image pixels afterwards), the pair's score
/// (the mean of the corner scores; -1 for a rejected pair, lowered by soft-NMS), each corner's own score (the
/// merge weights of soft-NMS-merge) and the class. One layout from decode to NMS; <see cref="Detection"/> is what
/// leaves the detector.
/// </summary>
public readonly record struct CornerDetection(
    float X1, float Y1, float X2, float Y2, float Score, float TopLeftScore, float BottomRightScore, int Class)
{
    /// <summary>
    /// Floats per box of the authors' <c>_decode</c> output, <c>[batch, num_dets, 8]</c>: x1, y1, x2, y2, score,
    /// top-left score, bottom-right score, class (as a float). Only the torch-ops decoder, which stacks its result
    /// in the same order, and the fixtures of the authors' decode use it.
    /// </summary>
    public const int AuthorsColumns = 8;

    /// <summary>Reads rows of the authors' decode layout (see <see cref="AuthorsColumns"/>).</summary>
    public static CornerDetection[] FromAuthorsRows(ReadOnlySpan<float> rows)
    {
        if (rows.Length % AuthorsColumns != 0) throw new ArgumentException($"{rows.Length} floats are not rows of {AuthorsColumns}.", nameof(rows));
        var result = new CornerDetection[rows.Length / AuthorsColumns];
        for (int i = 0; i < result.Length; i++)
        {
            var row = rows.Slice(i * AuthorsColumns, AuthorsColumns);
            result[i] = new CornerDetection(row[0], row[1], row[2], row[3], row[4], row[5], row[6], (int)row[7]);
        }

        return result;
    }
}
