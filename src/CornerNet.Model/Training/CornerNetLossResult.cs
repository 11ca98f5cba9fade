using static TorchSharp.torch;

namespace CornerNet.Model.Training;

/// <summary>
/// The training loss and its parts. <see cref="Total"/> carries the graph for <c>backward()</c>; the parts are
/// detached scalars for logging, already weighted and divided by the number of stacks, so they sum to the total.
/// </summary>
public sealed record CornerNetLossResult(Tensor Total, Tensor Focal, Tensor Pull, Tensor Push, Tensor Offset) : IDisposable
{
    public IEnumerable<Tensor> All => [Total, Focal, Pull, Push, Offset];

    /// <summary>The five values as numbers (reads them from the device).</summary>
    public (double Total, double Focal, double Pull, double Push, double Offset) ToValues() =>
        (Value(Total), Value(Focal), Value(Pull), Value(Push), Value(Offset));

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
