namespace CornerNet.Model.Data;

/// <summary>
/// COCO bbox evaluation with the semantics of pycocotools' COCOeval (iouType "bbox", default parameters),
/// reproduced to the last bit where practical: same matching order, tie rules, crowd handling and accumulation.
/// </summary>
public sealed class CocoEvaluator
{
    /// <summary>pycocotools caps each IoU threshold just below 1, so an IoU that is 1 up to rounding can still match.</summary>
    private const double HighestIouThreshold = 1 - 1e-10;

    private readonly CocoDataset _groundTruth;
    private readonly long[] _imageIds;
    private readonly Dictionary<(long ImageId, int CategoryIndex), List<CocoAnnotation>> _groundTruthsByImageAndCategory;

    public CocoEvaluator(CocoDataset groundTruth)
    {
        _groundTruth = groundTruth;
        _imageIds = [.. groundTruth.Images.Select(i => i.Id).Distinct().Order()];
        _groundTruthsByImageAndCategory = [];
        foreach (var annotation in groundTruth.Annotations)
        {
            var key = (annotation.ImageId, groundTruth.CategoryIndex(annotation.CategoryId));
            if (!_groundTruthsByImageAndCategory.TryGetValue(key, out var list))
            {
                _groundTruthsByImageAndCategory[key] = list = [];
            }

            list.Add(annotation);
        }
    }

    /// <summary>.50:.05:.95, computed as np.linspace computes it (so 0.75 is exactly 0.75).</summary>
    public static IReadOnlyList<double> IouThresholds { get; } = PythonCompatibleMath.Linspace(0.5, 0.95, 10);

    /// <summary>0:.01:1, the 101 recall points of interpolated precision.</summary>
    public static IReadOnlyList<double> RecallThresholds { get; } = PythonCompatibleMath.Linspace(0.0, 1.0, 101);

    public static IReadOnlyList<int> MaxDetections { get; } = [1, 10, 100];

    public static IReadOnlyList<CocoAreaRange> AreaRanges { get; } =
    [
        new("all", 0, 1e10),
        new("small", 0, 32 * 32),
        new("medium", 32 * 32, 96 * 96),
        new("large", 96 * 96, 1e10),
    ];

    public CocoEvaluation Evaluate(CocoResults results) => Evaluate(results.Detections);

    /// <summary>
    /// Evaluates detections against the ground truth. Detections of categories absent from the data set are
    /// ignored (pycocotools filters them out); detections on images absent from it are an error (pycocotools asserts).
    /// </summary>
    public CocoEvaluation Evaluate(IEnumerable<CocoDetection> detections)
    {
        var detectionsByImageAndCategory = GroupDetections(detections);
        int imageCount = _imageIds.Length, categoryCount = _groundTruth.CategoryCount, areaCount = AreaRanges.Count;

        // evaluations[(k * A + a) * I + i], null where the image has neither ground truth nor detections of the category.
        var evaluations = new CocoImageEvaluation?[categoryCount * areaCount * imageCount];
        for (int k = 0; k < categoryCount; k++)
        {
            for (int i = 0; i < imageCount; i++)
            {
                var groundTruths = _groundTruthsByImageAndCategory.GetValueOrDefault((_imageIds[i], k)) ?? [];
                var imageDetections = detectionsByImageAndCategory.GetValueOrDefault((_imageIds[i], k)) ?? [];
                if (groundTruths.Count == 0 && imageDetections.Count == 0)
                {
                    continue;
                }

                var ranked = RankByScore(imageDetections, MaxDetections[^1]);
                double[,] ious = ComputeIous(ranked, groundTruths);
                for (int a = 0; a < areaCount; a++)
                {
                    evaluations[(((k * areaCount) + a) * imageCount) + i] = EvaluateImage(groundTruths, ranked, ious, AreaRanges[a]);
                }
            }
        }

        return Accumulate(evaluations, categoryCount, imageCount);
    }

    /// <summary>Bbox IoU as pycocotools' C code computes it: w*h areas, no +1; against a crowd the union is the detection's area.</summary>
    internal static double BoxIou(CocoBox detection, CocoBox groundTruth, bool groundTruthIsCrowd)
    {
        double width = Math.Min(detection.Width + detection.X, groundTruth.Width + groundTruth.X) - Math.Max(detection.X, groundTruth.X);
        if (width <= 0)
        {
            return 0;
        }

        double height = Math.Min(detection.Height + detection.Y, groundTruth.Height + groundTruth.Y) - Math.Max(detection.Y, groundTruth.Y);
        if (height <= 0)
        {
            return 0;
        }

        double intersection = width * height;
        double detectionArea = detection.Width * detection.Height;
        double union = groundTruthIsCrowd ? detectionArea : detectionArea + (groundTruth.Width * groundTruth.Height) - intersection;
        return intersection / union;
    }

    private Dictionary<(long ImageId, int CategoryIndex), List<CocoDetection>> GroupDetections(IEnumerable<CocoDetection> detections)
    {
        var grouped = new Dictionary<(long, int), List<CocoDetection>>();
        foreach (var detection in detections)
        {
            if (!_groundTruth.ContainsImage(detection.ImageId))
            {
                throw new ArgumentException(
                    $"A detection refers to image id {detection.ImageId}, which is not in the ground truth.", nameof(detections));
            }

            if (!double.IsFinite(detection.Score))
            {
                throw new ArgumentException($"A detection on image id {detection.ImageId} has score {detection.Score}.", nameof(detections));
            }

            if (!_groundTruth.TryGetCategoryIndex(detection.CategoryId, out int k))
            {
                continue;
            }

            if (!grouped.TryGetValue((detection.ImageId, k), out var list))
            {
                grouped[(detection.ImageId, k)] = list = [];
            }

            list.Add(detection);
        }

        return grouped;
    }

    /// <summary>Highest score first, ties kept in input order (NumPy's stable mergesort), cut to <paramref name="limit"/>.</summary>
    private static CocoDetection[] RankByScore(List<CocoDetection> detections, int limit) =>
        [.. detections.Select((d, index) => (d, index))
            .OrderByDescending(p => p.d.Score)
            .ThenBy(p => p.index)
            .Take(limit)
            .Select(p => p.d)];

    private static double[,] ComputeIous(CocoDetection[] detections, List<CocoAnnotation> groundTruths)
    {
        var ious = new double[detections.Length, groundTruths.Count];
        for (int d = 0; d < detections.Length; d++)
        {
            for (int g = 0; g < groundTruths.Count; g++)
            {
                ious[d, g] = BoxIou(detections[d].Box, groundTruths[g].Box, groundTruths[g].IsCrowd);
            }
        }

        return ious;
    }

    private static CocoImageEvaluation EvaluateImage(
        List<CocoAnnotation> groundTruths, CocoDetection[] detections, double[,] ious, CocoAreaRange area)
    {
        // Counted ground truths first, ignored ones (crowd or outside the area range) after, each group in file order.
        int[] order = [.. Enumerable.Range(0, groundTruths.Count).OrderBy(g => IsIgnored(groundTruths[g], area) ? 1 : 0)];
        var ignoredGroundTruth = order.Select(g => IsIgnored(groundTruths[g], area)).ToArray();
        int thresholdCount = IouThresholds.Count, detectionCount = detections.Length, groundTruthCount = order.Length;

        var groundTruthTaken = new bool[thresholdCount * groundTruthCount];
        var matchedGroundTruthId = new long[thresholdCount * detectionCount];
        var ignored = new bool[thresholdCount * detectionCount];
        for (int t = 0; t < thresholdCount && groundTruthCount > 0; t++)
        {
            for (int d = 0; d < detectionCount; d++)
            {
                double bestIou = Math.Min(IouThresholds[t], HighestIouThreshold);
                int best = -1;
                for (int g = 0; g < groundTruthCount; g++)
                {
                    var groundTruth = groundTruths[order[g]];
                    // A crowd region may absorb any number of detections; a regular object only one.
                    if (groundTruthTaken[(t * groundTruthCount) + g] && !groundTruth.IsCrowd)
                    {
                        continue;
                    }

                    // Once matched to a counted object, never trade it for an ignored one (they are sorted last).
                    if (best > -1 && !ignoredGroundTruth[best] && ignoredGroundTruth[g])
                    {
                        break;
                    }

                    double iou = ious[d, order[g]];
                    if (iou < bestIou)
                    {
                        continue;
                    }

                    bestIou = iou;
                    best = g;
                }

                if (best == -1)
                {
                    continue;
                }

                ignored[(t * detectionCount) + d] = ignoredGroundTruth[best];
                matchedGroundTruthId[(t * detectionCount) + d] = groundTruths[order[best]].Id;
                groundTruthTaken[(t * groundTruthCount) + best] = true;
            }
        }

        var matched = new bool[thresholdCount * detectionCount];
        for (int t = 0; t < thresholdCount; t++)
        {
            for (int d = 0; d < detectionCount; d++)
            {
                int at = (t * detectionCount) + d;

                // pycocotools records a match as the gt id, so a match to gt id 0 reads as no match; kept for identical numbers.
                matched[at] = matchedGroundTruthId[at] != 0;

                // Unmatched detections outside the area range neither help nor hurt.
                ignored[at] |= !matched[at] && !area.Contains(detections[d].Box.Area);
            }
        }

        int counted = ignoredGroundTruth.Count(i => !i);
        return new CocoImageEvaluation([.. detections.Select(d => d.Score)], matched, ignored, counted);
    }

    private static bool IsIgnored(CocoAnnotation groundTruth, CocoAreaRange area) =>
        groundTruth.IsCrowd || !area.Contains(groundTruth.Area);

    private CocoEvaluation Accumulate(CocoImageEvaluation?[] evaluations, int categoryCount, int imageCount)
    {
        int t0 = IouThresholds.Count, r0 = RecallThresholds.Count, a0 = AreaRanges.Count, m0 = MaxDetections.Count;
        var precision = new double[t0 * r0 * categoryCount * a0 * m0];
        var recall = new double[t0 * categoryCount * a0 * m0];
        Array.Fill(precision, -1.0);
        Array.Fill(recall, -1.0);

        for (int k = 0; k < categoryCount; k++)
        {
            for (int a = 0; a < a0; a++)
            {
                var present = new List<CocoImageEvaluation>();
                for (int i = 0; i < imageCount; i++)
                {
                    if (evaluations[(((k * a0) + a) * imageCount) + i] is { } evaluation)
                    {
                        present.Add(evaluation);
                    }
                }

                if (present.Count == 0)
                {
                    continue;
                }

                int counted = present.Sum(e => e.CountedGroundTruths);
                if (counted == 0)
                {
                    continue;
                }

                for (int m = 0; m < m0; m++)
                {
                    AccumulateSetting(present, MaxDetections[m], counted, out var precisionAt, out var recallAt);
                    for (int t = 0; t < t0; t++)
                    {
                        recall[CocoEvaluation.RecallIndex(t, k, a, m, categoryCount)] = recallAt[t];
                        for (int r = 0; r < r0; r++)
                        {
                            precision[CocoEvaluation.PrecisionIndex(t, r, k, a, m, categoryCount)] = precisionAt[t, r];
                        }
                    }
                }
            }
        }

        return new CocoEvaluation([.. _groundTruth.Categories.Select(c => c.Id)], precision, recall);
    }

    private static void AccumulateSetting(
        List<CocoImageEvaluation> evaluations, int maxDetections, int countedGroundTruths, out double[,] precisionAt, out double[] recallAt)
    {
        // Every image's top detections, in image order, then ranked by score with ties kept in that order.
        var pool = new List<(double Score, CocoImageEvaluation Image, int Detection)>();
        foreach (var evaluation in evaluations)
        {
            int kept = Math.Min(maxDetections, evaluation.Scores.Length);
            for (int d = 0; d < kept; d++)
            {
                pool.Add((evaluation.Scores[d], evaluation, d));
            }
        }

        var ranked = pool.Select((p, index) => (p, index)).OrderByDescending(x => x.p.Score).ThenBy(x => x.index).Select(x => x.p).ToArray();
        int thresholdCount = IouThresholds.Count, recallCount = RecallThresholds.Count, n = ranked.Length;
        precisionAt = new double[thresholdCount, recallCount];
        recallAt = new double[thresholdCount];
        var recallCurve = new double[n];
        var precisionCurve = new double[n];
        for (int t = 0; t < thresholdCount; t++)
        {
            double truePositives = 0, falsePositives = 0;
            for (int j = 0; j < n; j++)
            {
                var (_, image, d) = ranked[j];
                int at = (t * image.Scores.Length) + d;
                if (!image.Ignored[at])
                {
                    if (image.Matched[at])
                    {
                        truePositives++;
                    }
                    else
                    {
                        falsePositives++;
                    }
                }

                // Ignored detections still take a place in the curves, as in pycocotools.
                recallCurve[j] = truePositives / countedGroundTruths;
                precisionCurve[j] = truePositives / (falsePositives + truePositives + PythonCompatibleMath.SpacingOfOne);
            }

            recallAt[t] = n > 0 ? recallCurve[n - 1] : 0;

            // Precision envelope: the best precision at this recall or beyond.
            for (int j = n - 1; j > 0; j--)
            {
                if (precisionCurve[j] > precisionCurve[j - 1])
                {
                    precisionCurve[j - 1] = precisionCurve[j];
                }
            }

            for (int r = 0; r < recallCount; r++)
            {
                int first = FirstAtLeast(recallCurve, n, RecallThresholds[r]);
                if (first >= n)
                {
                    break; // recall never reaches this point; it and the rest stay 0
                }

                precisionAt[t, r] = precisionCurve[first];
            }
        }
    }

    /// <summary>np.searchsorted(values, target, side="left") on a non-decreasing array.</summary>
    private static int FirstAtLeast(double[] values, int count, double target)
    {
        int low = 0, high = count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (values[middle] < target)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
