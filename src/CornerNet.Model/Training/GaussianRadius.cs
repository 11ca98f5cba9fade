namespace CornerNet.Model.Training;

/// <summary>
/// The radius of the penalty-reducing Gaussian around a ground-truth corner, as the authors compute it.
/// </summary>
/// <remarks>
/// This is a faithful transcription of <c>gaussian_radius</c> in the authors' <c>sample/utils.py</c> (the version after
/// their March 2019 fix, commit 3e71377; the ECCV release divided by 2 instead of 2a and took the larger roots). It is
/// kept exactly as they wrote it, NOT corrected towards the paper's description: r is treated as a shift of each
/// corner along both axes at once (a Euclidean distance of r·√2, not r), case 1 assumes both corners shift by the same
/// vector, the mixed in/out cases are not considered, and the caller truncates with <c>max(0, int(r))</c>.
/// </remarks>
public static class GaussianRadius
{
    /// <summary>The authors' <c>gaussian_iou</c> from config/CornerNet.json.</summary>
    public const double DefaultMinOverlap = 0.3;

    /// <summary>The smallest of the three quadratic solutions, for a box of the given size at output resolution.</summary>
    public static double Compute(double height, double width, double minOverlap = DefaultMinOverlap)
    {
        // Case 1: one corner inside the box, the other outside.
        const double a1 = 1;
        var b1 = height + width;
        var c1 = width * height * (1 - minOverlap) / (1 + minOverlap);
        var r1 = (b1 - Math.Sqrt(b1 * b1 - 4 * a1 * c1)) / (2 * a1);

        // Case 2: both corners inside the box.
        const double a2 = 4;
        var b2 = 2 * (height + width);
        var c2 = (1 - minOverlap) * width * height;
        var r2 = (b2 - Math.Sqrt(b2 * b2 - 4 * a2 * c2)) / (2 * a2);

        // Case 3: both corners outside the box.
        var a3 = 4 * minOverlap;
        var b3 = -2 * minOverlap * (height + width);
        var c3 = (minOverlap - 1) * width * height;
        var r3 = (b3 + Math.Sqrt(b3 * b3 - 4 * a3 * c3)) / (2 * a3);

        return Math.Min(r1, Math.Min(r2, r3));
    }

    /// <summary>The integer radius the authors draw with: <c>max(0, int(r))</c> (truncation towards zero).</summary>
    public static int ComputeInteger(double height, double width, double minOverlap = DefaultMinOverlap) =>
        Math.Max(0, (int)Compute(height, width, minOverlap));
}
