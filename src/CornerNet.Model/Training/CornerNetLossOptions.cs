namespace CornerNet.Model.Training;

/// <summary>Loss hyper-parameters; defaults are the authors' (models/CornerNet.py, models/py_utils/kp_utils.py).</summary>
public sealed record CornerNetLossOptions
{
    /// <summary>Focal exponent on the prediction (the paper's alpha).</summary>
    public double FocalAlpha { get; init; } = 2;

    /// <summary>Exponent of the Gaussian's penalty reduction for negatives (the paper's beta).</summary>
    public double FocalBeta { get; init; } = 4;

    /// <summary>Sigmoid outputs are clamped to [epsilon, 1 - epsilon] before the logarithms.</summary>
    public double ProbabilityEpsilon { get; init; } = 1e-4;

    public double PullWeight { get; init; } = 0.1;

    public double PushWeight { get; init; } = 0.1;

    public double OffsetWeight { get; init; } = 1;

    /// <summary>Embedding distance beyond which two objects are no longer pushed apart (the paper's Delta).</summary>
    public double PushMargin { get; init; } = 1;

    public CornerNetLossOptions Validate()
    {
        if (ProbabilityEpsilon is <= 0 or >= 0.5) throw new ArgumentOutOfRangeException(nameof(ProbabilityEpsilon), ProbabilityEpsilon, "Must lie in (0, 0.5).");
        if (PullWeight < 0 || PushWeight < 0 || OffsetWeight < 0) throw new ArgumentOutOfRangeException(nameof(PullWeight), "Loss weights must not be negative.");
        if (PushMargin <= 0) throw new ArgumentOutOfRangeException(nameof(PushMargin), PushMargin, "Must be positive.");
        return this;
    }
}
