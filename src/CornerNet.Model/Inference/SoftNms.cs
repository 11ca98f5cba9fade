namespace CornerNet.Model.Inference;

/// <summary>
/// The authors' soft-NMS and soft-NMS-merge (external/nms.pyx) over <see cref="CornerDetection"/> boxes; the
/// class is carried along and not looked at. Areas use the +1-pixel convention. Works in place on the caller's
/// span, float32 arithmetic as in the Cython original, no allocation.
/// </summary>
/// <remarks>
/// Two deliberate differences from the original, both implementing what it evidently intends:
/// a discarded box is gone (the original copies the last row over it but the caller ignores the returned count,
/// so stale copies of moved rows survive at the end), and boxes move whole (the original swaps only the
/// first five columns, so the merge weights of a moved box could belong to another box).
/// </remarks>
public static class SoftNms
{
    /// <summary>
    /// Runs (soft-)NMS on <paramref name="boxes"/> and returns how many survive; they are the first boxes
    /// afterwards, in selection order (descending score at the time of selection).
    /// </summary>
    /// <param name="boxes">The boxes, reordered, rescored and (when merging) moved in place.</param>
    /// <param name="kind">How overlapping boxes are penalised.</param>
    /// <param name="threshold">IoU threshold of <see cref="NmsKind.Hard"/> and <see cref="NmsKind.Linear"/>.</param>
    /// <param name="sigma">Gaussian weight is exp(-IoU² / sigma).</param>
    /// <param name="scoreFloor">A box whose score drops below this is discarded.</param>
    /// <param name="mergeWeightExponent">When set, soft_nms_merge: each kept box becomes the corner-score-weighted
    /// mean of itself and the boxes it overlaps, each weighted by (1 - weight)^exponent.</param>
    public static int Apply(Span<CornerDetection> boxes, NmsKind kind, float threshold, float sigma, float scoreFloor, float? mergeWeightExponent = null)
    {
        bool merge = mergeWeightExponent.HasValue;
        double weightExponent = mergeWeightExponent ?? 0;
        int n = boxes.Length;
        for (int i = 0; i < n; i++)
        {
            // Select the highest remaining score (the first one on ties) and move it to position i.
            int best = i;
            float bestScore = boxes[i].Score;
            for (int p = i + 1; p < n; p++)
            {
                if (bestScore < boxes[p].Score)
                {
                    bestScore = boxes[p].Score;
                    best = p;
                }
            }

            if (best != i) (boxes[i], boxes[best]) = (boxes[best], boxes[i]);
            var selected = boxes[i];
            float tx1 = selected.X1, ty1 = selected.Y1, tx2 = selected.X2, ty2 = selected.Y2;
            float selectedArea = (tx2 - tx1 + 1) * (ty2 - ty1 + 1);
            float mx1 = 0, my1 = 0, mx2 = 0, my2 = 0, topLeftWeight = 0, bottomRightWeight = 0;
            if (merge)
            {
                mx1 = tx1 * selected.TopLeftScore;
                my1 = ty1 * selected.TopLeftScore;
                mx2 = tx2 * selected.BottomRightScore;
                my2 = ty2 * selected.BottomRightScore;
                topLeftWeight = selected.TopLeftScore;
                bottomRightWeight = selected.BottomRightScore;
            }

            int pos = i + 1;
            while (pos < n)
            {
                ref var box = ref boxes[pos];
                float x1 = box.X1, y1 = box.Y1, x2 = box.X2, y2 = box.Y2;
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
                            mx1 += x1 * box.TopLeftScore * mergeWeight;
                            my1 += y1 * box.TopLeftScore * mergeWeight;
                            mx2 += x2 * box.BottomRightScore * mergeWeight;
                            my2 += y2 * box.BottomRightScore * mergeWeight;
                            topLeftWeight += box.TopLeftScore * mergeWeight;
                            bottomRightWeight += box.BottomRightScore * mergeWeight;
                        }

                        float score = box.Score * weight;
                        box = box with { Score = score };
                        if (score < scoreFloor)
                        {
                            // Discard: the last live box takes this place and is examined next.
                            n--;
                            if (pos != n) box = boxes[n];
                            continue;
                        }
                    }
                }

                pos++;
            }

            if (merge)
            {
                boxes[i] = selected with
                {
                    X1 = mx1 / topLeftWeight,
                    Y1 = my1 / topLeftWeight,
                    X2 = mx2 / bottomRightWeight,
                    Y2 = my2 / bottomRightWeight,
                };
            }
        }

        return n;
    }
}
