using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// Channels-last (NHWC in memory, NCHW in shape) tensors. TorchSharp 0.107 exposes no memory-format argument, so the
/// layout is made with a permute: libtorch recognises the strides, and convolutions, element-wise operations and
/// in-place ops keep them.
/// </summary>
public static class ChannelsLast
{
    /// <summary>A channels-last copy of a [batch, channels, height, width] tensor (the tensor itself if it is one).</summary>
    public static Tensor From(Tensor input) =>
        Is(input) ? input.alias() : input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>True when <paramref name="input"/> is a dense channels-last 4-d tensor with more than one channel.</summary>
    public static bool Is(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] == 1) return false;
        long channels = input.shape[1], width = input.shape[3];
        return input.stride(1) == 1 && input.stride(3) == channels && input.stride(2) == channels * width;
    }
}
