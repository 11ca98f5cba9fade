using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// libtorch 2.10's oneDNN convolutions on CPU were seen to return wrong values (errors of 20-40%) on an AVX2/AVX-512
/// machine for kernels larger than 1x1: in the forward pass when the input has more than 16 channels and not a
/// multiple of 16 (e.g. 20, 24, 40), and in the input gradient when the output channels are not a multiple of 16.
/// PyTorch 1.13 and float64 agree with each other there. This check runs one such convolution once per process and
/// compares it with float64; if they disagree, <see cref="Conv2dLayer"/> pads those channel counts. Hourglass-104's
/// widths are all multiples of 16, so the paper's network never needs it for inference.
/// </summary>
public static class ConvolutionSelfCheck
{
    private const int Block = 16;

    private static readonly Lazy<bool> Defective = new(Probe);

    /// <summary>True when this process's libtorch gets such convolutions wrong.</summary>
    public static bool TailChannelsDefective => Defective.Value;

    /// <summary>Input channels to convolve at: above 16 and not a multiple of it is what the forward pass and the
    /// weight gradient get wrong.</summary>
    public static long PaddedInputChannels(long channels, long kernelSize, ScalarType dtype) =>
        Affected(kernelSize, dtype) && channels > Block && channels % Block != 0 ? RoundUp(channels) : channels;

    /// <summary>Output channels to convolve at when gradients are needed: the input gradient is wrong for any output
    /// count that is not a multiple of 16.</summary>
    public static long PaddedOutputChannels(long channels, long kernelSize, ScalarType dtype) =>
        Affected(kernelSize, dtype) && channels % Block != 0 ? RoundUp(channels) : channels;

    // 1x1 kernels and float64 were never affected; the probe runs only when a padding decision depends on it.
    private static bool Affected(long kernelSize, ScalarType dtype) =>
        kernelSize > 1 && dtype != ScalarType.Float64 && TailChannelsDefective;

    private static long RoundUp(long channels) => (channels + Block - 1) / Block * Block;

    // The defect reads memory it should not: with freshly mapped (zeroed) pages it can give the right answer, with
    // reused ones wrong values or NaN. So the probe runs several times, each after leaving NaN-filled blocks of the
    // sizes involved in the allocator's free lists, and counts a NaN as wrong (a NaN compares false with anything).
    private static bool Probe()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(20_18);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using (var dirty = NewDisposeScope())
            {
                foreach (var elements in new long[] { 2 * 24 * 16 * 24, 2 * 32 * 16 * 24, 24 * 24 * 9, 1 << 20 })
                {
                    full([elements], float.NaN);
                }
            }

            var input = randn([2, 24, 16, 24], generator: generator);
            var weight = randn([24, 24, 3, 3], generator: generator);
            var single = nn.functional.conv2d(input, weight, padding: [1, 1]).to_type(ScalarType.Float64);
            var exact = nn.functional.conv2d(input.to_type(ScalarType.Float64), weight.to_type(ScalarType.Float64), padding: [1, 1]);
            var relativeError = ((single - exact).abs().max() / exact.abs().max()).item<double>();
            if (!(relativeError <= 1e-4)) return true;
        }

        return false;
    }
}
