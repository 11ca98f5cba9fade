using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>The four corner-pooling directions.</summary>
public enum PoolDirection
{
    /// <summary>Each output is the max of itself and everything below it in its column.</summary>
    Top,
    /// <summary>Each output is the max of itself and everything to its right in its row.</summary>
    Left,
    /// <summary>Each output is the max of itself and everything above it in its column.</summary>
    Bottom,
    /// <summary>Each output is the max of itself and everything to its left in its row.</summary>
    Right,
}

/// <summary>
/// Corner pooling on [batch, channels, height, width] tensors: running maxima along a row or column, inclusive,
/// with the same values as the authors' C++ extension. Built from cummax, which libtorch differentiates
/// (the gradient goes to the position that supplied the maximum).
/// </summary>
public static class DirectionalPool
{
    public static Tensor Apply(Tensor input, PoolDirection direction)
    {
        using var scope = NewDisposeScope();
        var result = direction switch
        {
            // Top and Left scan from the far end: flip, running max, flip back.
            PoolDirection.Top => RunningMax(input.flip(2), 2).flip(2),
            PoolDirection.Left => RunningMax(input.flip(3), 3).flip(3),
            PoolDirection.Bottom => RunningMax(input, 2),
            PoolDirection.Right => RunningMax(input, 3),
            _ => throw new ArgumentOutOfRangeException(nameof(direction)),
        };
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor RunningMax(Tensor input, long dim)
    {
        var (values, indices) = cummax(input, dim);
        indices.Dispose();
        return values;
    }
}
