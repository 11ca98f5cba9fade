namespace CornerNet.Model.Training;

/// <summary>How ground-truth corners are encoded; defaults are the authors' (config/CornerNet.json, sample/coco.py).</summary>
public sealed record CornerTargetOptions
{
    /// <summary>Slots for tags and offsets per image (the authors' <c>max_tag_len</c>).</summary>
    public int MaxObjects { get; init; } = 128;

    /// <summary>Minimum IoU a box from corners within the radius should keep (the authors' <c>gaussian_iou</c>).</summary>
    public double GaussianMinOverlap { get; init; } = GaussianRadius.DefaultMinOverlap;

    public CornerTargetOptions Validate()
    {
        if (MaxObjects < 1) throw new ArgumentOutOfRangeException(nameof(MaxObjects), MaxObjects, "Must be at least 1.");
        if (GaussianMinOverlap is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(GaussianMinOverlap), GaussianMinOverlap, "Must lie in (0, 1).");
        return this;
    }
}
