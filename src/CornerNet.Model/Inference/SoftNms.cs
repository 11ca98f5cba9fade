namespace CornerNet.Model.Inference;

/// <summary>
/// The authors' soft-NMS and soft-NMS-merge (external/nms.pyx) over rows of <see cref="RowLength"/> floats:
/// x1, y1, x2, y2, score, top-left score, bottom-right score. Areas use the +1-pixel convention. Works in place
/// on the caller's array, float32 arithmetic as in the Cython original, no allocation.
/// </summary>
/// <remarks>
/// Two deliberate differences from the original, both implementing what it evidently intends:
/// a discarded box is gone (the original copies the last row over it but the caller ignores the returned count,
/// so stale copies of moved rows survive at the end), and rows move as whole rows (the original swaps only the
/// first five columns, so the merge weights of a moved box could belong to another box).
/// </remarks>
public static class SoftNms
{
    public const int RowLength = 7;

    /// <summary>
    /// Runs (soft-)NMS on the first <paramref name="count"/> rows of <paramref name="boxes"/> and returns how many
    /// survive; they are the first rows afterwards, in selection order (descending score at the time of selection).
    /// </summary>
    /// <param name="boxes">Rows of <see cref="RowLength"/> floats.</param>
    /// <param name="count">Rows in use.</param>
    /// <param name="kind">How overlapping boxes are penalised.</param>
    /// <param name="threshold">IoU threshold of <see cref="NmsKind.Hard"/> and <see cref="NmsKind.Linear"/>.</param>
    /// <param name="sigma">Gaussian weight is exp(-IoU² / sigma).</param>
    /// <param name="scoreFloor">A box whose score drops below this is discarded.</param>
    /// <param name="mergeWeightExponent">When set, soft_nms_merge: each kept box becomes the corner-score-weighted
    /// mean of itself and the boxes it overlaps, each weighted by (1 - weight)^exponent.</param>
    public static int Apply(Span<float> boxes, int count, NmsKind kind, float threshold, float sigma, float scoreFloor, float? mergeWeightExponent = null)
    {
        if (count < 0 || (long)count * RowLength > boxes.Length) throw new ArgumentOutOfRangeException(nameof(count));
        bool merge = mergeWeightExponent.HasValue;
        double weightExponent = mergeWeightExponent ?? 0;
        int n = count;
        for (int i = 0; i < n; i++)
        {
            // Select the highest remaining score (the first one on ties) and move it to row i.
            int best = i;
            float bestScore = boxes[i * RowLength + 4];
            for (int p = i + 1; p < n; p++)
            {
                if (bestScore < boxes[p * RowLength + 4])
                {
                    bestScore = boxes[p * RowLength + 4];
                    best = p;
                }
            }

            if (best != i) SwapRows(boxes, i, best);
            int r = i * RowLength;
            float tx1 = boxes[r], ty1 = boxes[r + 1], tx2 = boxes[r + 2], ty2 = boxes[r + 3];
            float selectedArea = (tx2 - tx1 + 1) * (ty2 - ty1 + 1);
            float mx1 = 0, my1 = 0, mx2 = 0, my2 = 0, topLeftWeight = 0, bottomRightWeight = 0;
            if (merge)
            {
                mx1 = tx1 * boxes[r + 5];
                my1 = ty1 * boxes[r + 5];
                mx2 = tx2 * boxes[r + 6];
                my2 = ty2 * boxes[r + 6];
                topLeftWeight = boxes[r + 5];
                bottomRightWeight = boxes[r + 6];
            }

            int pos = i + 1;
            while (pos < n)
            {
                int q = pos * RowLength;
                float x1 = boxes[q], y1 = boxes[q + 1], x2 = boxes[q + 2], y2 = boxes[q + 3];
                float iw = MathF.Min(tx2, x2) - MathF.Max(tx1, x1) + 1;
                if (iw > 0)
                {
                    float ih = MathF.Min(ty2, y2) - MathF.Max(ty1, y1) + 1;
                    if (ih > 0)
                    {
                        float area = (x2 - x1 + 1) * (y2 - y1 + 1);
                        float union = selectedArea + area - iw * ih;
                        float overlap = iw * ih / union;
                        float weight = kind switch
                        {
                            NmsKind.Linear => overlap > threshold ? 1 - overlap : 1,
                            NmsKind.Gaussian => (float)Math.Exp(-(overlap * overlap) / sigma),
                            _ => overlap > threshold ? 0 : 1,
                        };

                        if (merge)
                        {
                            float mergeWeight = (float)Math.Pow(1 - weight, weightExponent);
                            mx1 += x1 * boxes[q + 5] * mergeWeight;
                            my1 += y1 * boxes[q + 5] * mergeWeight;
                            mx2 += x2 * boxes[q + 6] * mergeWeight;
                            my2 += y2 * boxes[q + 6] * mergeWeight;
                            topLeftWeight += boxes[q + 5] * mergeWeight;
                            bottomRightWeight += boxes[q + 6] * mergeWeight;
                        }

                        boxes[q + 4] *= weight;
                        if (boxes[q + 4] < scoreFloor)
                        {
                            // Discard: the last live row takes this place and is examined next.
                            n--;
                            if (pos != n) boxes.Slice(n * RowLength, RowLength).CopyTo(boxes.Slice(q, RowLength));
                            continue;
                        }
                    }
                }

                pos++;
            }

            if (merge)
            {
                boxes[r] = mx1 / topLeftWeight;
                boxes[r + 1] = my1 / topLeftWeight;
                boxes[r + 2] = mx2 / bottomRightWeight;
                boxes[r + 3] = my2 / bottomRightWeight;
            }
        }

        return n;
    }

    private static void SwapRows(Span<float> boxes, int a, int b)
    {
        var rowA = boxes.Slice(a * RowLength, RowLength);
        var rowB = boxes.Slice(b * RowLength, RowLength);
        Span<float> temp = stackalloc float[RowLength];
        rowA.CopyTo(temp);
        rowB.CopyTo(rowA);
        temp.CopyTo(rowB);
    }
}
