using CornerNet.Model.Data;

namespace CornerNet.Training.OfflineDetection;

/// <summary>One detection of an image as the results files give it: COCO box (rounded to 0.01 px) and score (to 1e-4).</summary>
public sealed record DetectedObject(long CategoryId, string Label, CocoBox Box, double Score);

/// <summary>What became of one image: its detections, or why it was skipped.</summary>
public sealed record ImageOutcome(int Index, long ImageId, string Name, IReadOnlyList<DetectedObject> Detections, string? Error)
{
    public bool Skipped => Error is not null;

    public static ImageOutcome Failed(ImageItem item, string error)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new ImageOutcome(item.Index, item.ImageId, item.Name, [], error);
    }
}

/// <summary>The outcomes of one batch, in the batch's order; the unit the journal writes.</summary>
public sealed record BatchOutcome(int Batch, IReadOnlyList<ImageOutcome> Images);
