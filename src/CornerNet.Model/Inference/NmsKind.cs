namespace CornerNet.Model.Inference;

/// <summary>How a selected box lowers the scores of the boxes it overlaps (the authors' <c>nms_algorithm</c>).</summary>
public enum NmsKind
{
    /// <summary>Classic NMS: a box overlapping by more than the threshold is removed.</summary>
    Hard = 0,

    /// <summary>Soft-NMS, linear: a box overlapping by more than the threshold keeps (1 - IoU) of its score.</summary>
    Linear = 1,

    /// <summary>Soft-NMS, Gaussian: every overlapping box keeps exp(-IoU² / sigma) of its score; the threshold is unused.</summary>
    Gaussian = 2,
}
