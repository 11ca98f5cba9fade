using static TorchSharp.torch;

namespace CornerNet.Model.Training;

/// <summary>
/// The training loss and its parts. <see cref="Total"/> carries the graph for <c>backward()</c>; the parts are
/// detached scalars for logging, already weighted and divided by the number of stacks, so they sum to the total.
/// </summary>
public sealed record CornerNetLossResult(Tensor Total, Tensor Focal, Tensor Pull, Tensor Push, Tensor Offset) : IDisposable
{
    /// <summary>CornerNet-Saccade's attention focal loss (already divided as the total has it); null for the other families.</summary>
    public Tensor? Attention { get; init; }

    public IEnumerable<Tensor> All => Attention is null ? [Total, Focal, Pull, Push, Offset] : [Total, Focal, Pull, Push, Offset, Attention];

    /// <summary>The values as numbers (reads them from the device); the attention part is 0 without attention maps.</summary>
    public (double Total, double Focal, double Pull, double Push, double Offset, double Attention) ToValues() =>
        (Value(Total), Value(Focal), Value(Pull), Value(Push), Value(Offset), Attention is null ? 0 : Value(Attention));

    /// <summary>Moves every tensor out of the current dispose scope (to the caller's).</summary>
    public CornerNetLossResult MoveToOuterDisposeScope()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    private static double Value(Tensor scalar) => scalar.item<float>();

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}
