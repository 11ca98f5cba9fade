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
/// copy); otherwise every convolution after the pool would run NCHW, several times slower. Without gradients (inference)
/// the running maximum is a log-step scan of element-wise maxima instead: the same values (a maximum is exact), no index
/// tensor, no flips, and contiguous passes rather than cummax's strided walk along one dimension of the NHWC view.
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
        var (dim, fromEnd) = direction switch
        {
            PoolDirection.Top => (height, true),
            PoolDirection.Left => (width, true),
            PoolDirection.Bottom => (height, false),
            PoolDirection.Right => (width, false),
            _ => throw new ArgumentOutOfRangeException(nameof(direction)),
        };
        var result = is_grad_enabled() && input.requires_grad
            // Scans from the far end: flip, running max, flip back.
            ? fromEnd ? RunningMax(x.flip(dim), dim).flip(dim) : RunningMax(x, dim)
            : LogStepMax(x, dim, fromEnd);
        if (channelsLast) result = result.permute(0, 3, 1, 2);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Running maximum along <paramref name="dim"/> (towards the start when <paramref name="fromEnd"/>): after
    /// the pass with shift s every element holds the maximum of a window of 2s, so ceil(log2(length)) passes suffice.
    /// Each pass computes the maxima into a new tensor before writing them back, so no pass reads its own output.</summary>
    private static Tensor LogStepMax(Tensor input, long dim, bool fromEnd)
    {
        var result = input.clone();
        var length = input.shape[dim];
        for (long shift = 1; shift < length; shift *= 2)
        {
            var later = result.narrow(dim, shift, length - shift);
            var earlier = result.narrow(dim, 0, length - shift);
            if (fromEnd) earlier.copy_(maximum(earlier, later));
            else later.copy_(maximum(later, earlier));
        }

        return result;
    }

    private static Tensor RunningMax(Tensor input, long dim)
    {
        var (values, indices) = cummax(input, dim);
        indices.Dispose();
        return values;
    }
}
