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
/// (the gradient goes to the position that supplied the maximum). The result has the input's layout: cummax writes a
/// new contiguous tensor, so a channels-last input is scanned through its NHWC view (a channels-last result without a
/// copy); otherwise every convolution after the pool would run NCHW, several times slower.
/// </summary>
public static class DirectionalPool
{
    public static Tensor Apply(Tensor input, PoolDirection direction)
    {
        using var scope = NewDisposeScope();
        var channelsLast = ChannelsLast.Is(input);
        // The NHWC view of a channels-last tensor is contiguous; height and width are its dimensions 1 and 2.
        var x = channelsLast ? input.permute(0, 2, 3, 1) : input;
        long height = channelsLast ? 1 : 2, width = channelsLast ? 2 : 3;
        var result = direction switch
        {
            // Top and Left scan from the far end: flip, running max, flip back.
            PoolDirection.Top => RunningMax(x.flip(height), height).flip(height),
            PoolDirection.Left => RunningMax(x.flip(width), width).flip(width),
            PoolDirection.Bottom => RunningMax(x, height),
            PoolDirection.Right => RunningMax(x, width),
            _ => throw new ArgumentOutOfRangeException(nameof(direction)),
        };
        if (channelsLast) result = result.permute(0, 3, 1, 2);
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor RunningMax(Tensor input, long dim)
    {
        var (values, indices) = cummax(input, dim);
        indices.Dispose();
        return values;
    }
}
