namespace CornerNet.Model.Data;

/// <summary>
/// The 12 numbers of COCO's bbox summary, in pycocotools' order; -1 where no category has ground truth in the setting.
/// </summary>
public sealed record CocoSummary(
    double AveragePrecision,
    double AveragePrecision50,
    double AveragePrecision75,
    double AveragePrecisionSmall,
    double AveragePrecisionMedium,
    double AveragePrecisionLarge,
    double AverageRecall1,
    double AverageRecall10,
    double AverageRecall100,
    double AverageRecallSmall,
    double AverageRecallMedium,
    double AverageRecallLarge)
{
    /// <summary>The numbers in the order of pycocotools' COCOeval.stats.</summary>
    public double[] ToArray() =>
    [
        AveragePrecision, AveragePrecision50, AveragePrecision75,
        AveragePrecisionSmall, AveragePrecisionMedium, AveragePrecisionLarge,
        AverageRecall1, AverageRecall10, AverageRecall100,
        AverageRecallSmall, AverageRecallMedium, AverageRecallLarge,
    ];
}
