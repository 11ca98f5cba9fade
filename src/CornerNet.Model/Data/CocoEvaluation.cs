namespace CornerNet.Model.Data;

/// <summary>
/// Accumulated COCO bbox evaluation: interpolated precision [T,R,K,A,M] and recall [T,K,A,M] as pycocotools'
/// COCOeval.eval holds them (-1 where a category has no counted ground truth), the 12-number summary and its printout.
/// </summary>
public sealed class CocoEvaluation
{
    private readonly double[] _precision;
    private readonly double[] _recall;

    internal CocoEvaluation(IReadOnlyList<long> categoryIds, double[] precision, double[] recall)
    {
        CategoryIds = categoryIds;
        _precision = precision;
        _recall = recall;
        Summary = Summarize();
        SummaryLines = FormatSummary(Summary);
    }

    /// <summary>Category ids in ascending order; position k is the category index of the arrays.</summary>
    public IReadOnlyList<long> CategoryIds { get; }

    public CocoSummary Summary { get; }

    /// <summary>The 12 lines pycocotools' summarize() prints, character for character.</summary>
    public IReadOnlyList<string> SummaryLines { get; }

    private static int T => CocoEvaluator.IouThresholds.Count;

    private static int R => CocoEvaluator.RecallThresholds.Count;

    private static int A => CocoEvaluator.AreaRanges.Count;

    private static int M => CocoEvaluator.MaxDetections.Count;

    private int K => CategoryIds.Count;

    public double Precision(int iouIndex, int recallIndex, int categoryIndex, int areaIndex, int maxDetsIndex) =>
        _precision[PrecisionIndex(iouIndex, recallIndex, categoryIndex, areaIndex, maxDetsIndex, K)];

    public double Recall(int iouIndex, int categoryIndex, int areaIndex, int maxDetsIndex) =>
        _recall[RecallIndex(iouIndex, categoryIndex, areaIndex, maxDetsIndex, K)];

    /// <summary>AP@[.50:.95] of one category (all areas, 100 detections), or -1 when it has no counted ground truth.</summary>
    public double CategoryAveragePrecision(int categoryIndex)
    {
        var values = new List<double>(T * R);
        for (int t = 0; t < T; t++)
        {
            for (int r = 0; r < R; r++)
            {
                double p = Precision(t, r, categoryIndex, 0, M - 1);
                if (p > -1)
                {
                    values.Add(p);
                }
            }
        }

        return values.Count == 0 ? -1 : PythonCompatibleMath.Mean(values.ToArray());
    }

    internal static int PrecisionIndex(int t, int r, int k, int a, int m, int categoryCount) =>
        (((((((t * R) + r) * categoryCount) + k) * A) + a) * M) + m;

    internal static int RecallIndex(int t, int k, int a, int m, int categoryCount) => (((((t * categoryCount) + k) * A) + a) * M) + m;

    private CocoSummary Summarize()
    {
        const int all = 0, small = 1, medium = 2, large = 3;
        int maxDets100 = M - 1;
        return new CocoSummary(
            MeanPrecision(null, all, maxDets100),
            MeanPrecision(0, all, maxDets100),
            MeanPrecision(5, all, maxDets100),
            MeanPrecision(null, small, maxDets100),
            MeanPrecision(null, medium, maxDets100),
            MeanPrecision(null, large, maxDets100),
            MeanRecall(all, 0),
            MeanRecall(all, 1),
            MeanRecall(all, maxDets100),
            MeanRecall(small, maxDets100),
            MeanRecall(medium, maxDets100),
            MeanRecall(large, maxDets100));
    }

    // Values are visited in NumPy's C order of the sliced array, because the mean's summation order matters to the last bit.
    private double MeanPrecision(int? iouIndex, int areaIndex, int maxDetsIndex)
    {
        var values = new List<double>();
        int tFirst = iouIndex ?? 0, tLast = iouIndex ?? T - 1;
        for (int t = tFirst; t <= tLast; t++)
        {
            for (int r = 0; r < R; r++)
            {
                for (int k = 0; k < K; k++)
                {
                    double p = _precision[PrecisionIndex(t, r, k, areaIndex, maxDetsIndex, K)];
                    if (p > -1)
                    {
                        values.Add(p);
                    }
                }
            }
        }

        return values.Count == 0 ? -1 : PythonCompatibleMath.Mean(values.ToArray());
    }

    private double MeanRecall(int areaIndex, int maxDetsIndex)
    {
        var values = new List<double>();
        for (int t = 0; t < T; t++)
        {
            for (int k = 0; k < K; k++)
            {
                double r = _recall[RecallIndex(t, k, areaIndex, maxDetsIndex, K)];
                if (r > -1)
                {
                    values.Add(r);
                }
            }
        }

        return values.Count == 0 ? -1 : PythonCompatibleMath.Mean(values.ToArray());
    }

    private static string[] FormatSummary(CocoSummary summary)
    {
        var maxDets = CocoEvaluator.MaxDetections;
        double[] stats = summary.ToArray();
        (bool Precision, string Iou, string Area, int MaxDets)[] settings =
        [
            (true, "0.50:0.95", "all", maxDets[2]),
            (true, "0.50", "all", maxDets[2]),
            (true, "0.75", "all", maxDets[2]),
            (true, "0.50:0.95", "small", maxDets[2]),
            (true, "0.50:0.95", "medium", maxDets[2]),
            (true, "0.50:0.95", "large", maxDets[2]),
            (false, "0.50:0.95", "all", maxDets[0]),
            (false, "0.50:0.95", "all", maxDets[1]),
            (false, "0.50:0.95", "all", maxDets[2]),
            (false, "0.50:0.95", "small", maxDets[2]),
            (false, "0.50:0.95", "medium", maxDets[2]),
            (false, "0.50:0.95", "large", maxDets[2]),
        ];
        return
        [
            .. settings.Select((s, i) =>
                $" {(s.Precision ? "Average Precision" : "Average Recall"),-18} {(s.Precision ? "(AP)" : "(AR)")} " +
                $"@[ IoU={s.Iou,-9} | area={s.Area,6} | maxDets={s.MaxDets,3} ] = {PythonCompatibleMath.FormatThreeDecimals(stats[i])}"),
        ];
    }
}
