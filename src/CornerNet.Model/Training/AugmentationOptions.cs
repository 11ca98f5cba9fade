using CornerNet.Model.Architecture;

namespace CornerNet.Model.Training;

/// <summary>
/// Training-time sampling and augmentation; defaults are the authors' (config/CornerNet.json, db/coco.py,
/// sample/coco.py). Colour statistics are in BGR order, the order of the decoded pixels and of the authors' code.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>The authors' COCO PCA eigenvalues (db/coco.py), BGR pixel space.</summary>
    public static readonly double[] CocoEigenValues = [0.2141788, 0.01817699, 0.00341571];

    /// <summary>The authors' COCO PCA eigenvectors (db/coco.py), row = channel (B, G, R), column = component.</summary>
    public static readonly double[,] CocoEigenVectors =
    {
        { -0.58752847, -0.69563484, 0.41340352 },
        { -0.5832747, 0.00994535, -0.81221408 },
        { -0.56089297, 0.71832671, 0.41158938 },
    };

    /// <summary>
    /// The scales the authors actually draw from: <c>np.arange(0.6, 1.4, 0.1)</c>, which stops before 1.4 (eight values,
    /// 0.6 ... 1.3) and, like numpy, fills element i as start + i * ((start + step) - start). That makes the "1.0" entry
    /// 1 - 2^-53, so its crop is int(511 * s) = 510 pixels; kept for fidelity.
    /// </summary>
    public static double[] AuthorsScales() => NumpyArange(0.6, 1.4, 0.1);

    /// <summary>numpy's float <c>arange</c>: length ceil((stop - start) / step), then its fill rule.</summary>
    public static double[] NumpyArange(double start, double stop, double step)
    {
        var length = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var values = new double[length];
        var delta = (start + step) - start;
        for (var i = 0; i < length; i++) values[i] = i == 0 ? start : i == 1 ? start + step : start + i * delta;
        return values;
    }

    /// <summary>Network input height (the authors' <c>input_size[0]</c>).</summary>
    public required int InputHeight { get; init; }

    /// <summary>Network input width (the authors' <c>input_size[1]</c>).</summary>
    public required int InputWidth { get; init; }

    /// <summary>Random crop around a random centre (the authors' <c>rand_crop</c>); otherwise the whole image is padded
    /// to a centred square, as the authors do without it.</summary>
    public bool RandomCrop { get; init; } = true;

    /// <summary>Crop centres keep this far from the image edges (halved until it fits); the authors' <c>border</c>.</summary>
    public int Border { get; init; } = 128;

    /// <summary>Crop sizes relative to the input size.</summary>
    public double[] Scales { get; init; } = AuthorsScales();

    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Brightness, contrast and saturation in random order (the authors' <c>rand_color</c>).</summary>
    public bool ColorJitter { get; init; } = true;

    /// <summary>Each jitter factor is 1 + U(-variance, variance).</summary>
    public double JitterVariance { get; init; } = 0.4;

    /// <summary>PCA lighting noise (the authors' <c>lighting</c>).</summary>
    public bool Lighting { get; init; } = true;

    /// <summary>Standard deviation of the lighting coefficients (the authors' alphastd).</summary>
    public double LightingStd { get; init; } = 0.1;

    public double[] EigenValues { get; init; } = CocoEigenValues;

    public double[,] EigenVectors { get; init; } = CocoEigenVectors;

    /// <summary>Per-channel mean in <see cref="OutputRgb"/> order, 0..1 scale.</summary>
    public float[] Mean { get; init; } = ArchitectureSpec.CocoMeanBgr;

    /// <summary>Per-channel standard deviation in <see cref="OutputRgb"/> order.</summary>
    public float[] Std { get; init; } = ArchitectureSpec.CocoStdBgr;

    /// <summary>Write the output planes as R, G, B (for networks trained on RGB) instead of the input's B, G, R.</summary>
    public bool OutputRgb { get; init; }

    /// <summary>The authors' pipeline for a network: its input size, channel order and normalisation.</summary>
    public static AugmentationOptions FromSpec(ArchitectureSpec spec) => new()
    {
        InputHeight = spec.InputSize[0],
        InputWidth = spec.InputSize[1],
        Mean = spec.Mean,
        Std = spec.Std,
        OutputRgb = !spec.IsBgr,
    };

    public AugmentationOptions Validate()
    {
        if (InputHeight < 1 || InputWidth < 1) throw new ArgumentOutOfRangeException(nameof(InputHeight), "Input size must be positive.");
        if (Border < 0) throw new ArgumentOutOfRangeException(nameof(Border), Border, "Must not be negative.");
        if (Scales is null || Scales.Length == 0 || Scales.Any(s => !(s > 0))) throw new ArgumentException("Scales need at least one positive value.", nameof(Scales));
        if (JitterVariance is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(JitterVariance), JitterVariance, "Must lie in [0, 1).");
        if (LightingStd < 0) throw new ArgumentOutOfRangeException(nameof(LightingStd), LightingStd, "Must not be negative.");
        if (EigenValues is null || EigenValues.Length != 3 || EigenVectors is null || EigenVectors.GetLength(0) != 3 || EigenVectors.GetLength(1) != 3)
        {
            throw new ArgumentException("Lighting needs 3 eigenvalues and a 3 x 3 eigenvector matrix.");
        }

        if (Mean is null || Mean.Length != 3 || Std is null || Std.Length != 3 || Std.Any(s => !(s > 0)))
        {
            throw new ArgumentException("Mean and std need 3 values each, std positive.");
        }

        return this;
    }
}
