using CornerNet.Model.Architecture;
using TorchSharp;

namespace CornerNet.Tools.Common;

/// <summary>How the random heatmap logits of <see cref="RandomCornerHeads"/> are drawn.</summary>
public enum HeatLogits
{
    /// <summary>Continuous values, mostly background: few ties.</summary>
    Continuous,

    /// <summary>Multiples of 1/4: plateaus and many exactly tied scores and pair scores.</summary>
    Quantised,

    /// <summary>Large logits whose float sigmoids coincide (1.0 and its neighbours) although the logits differ.</summary>
    Saturated,

    /// <summary>Every cell the same: all ties, every cell a peak.</summary>
    Constant,

    /// <summary>A trained network's character: nearly all cells confident background, a few candidates.</summary>
    Background,
}

/// <summary>
/// Deterministic random network outputs (heatmap logits, tags in [0, 3), offsets in [0, 1)) for decoder tests and the
/// decode + NMS benchmark. Created outside any dispose scope the caller opens later: the caller disposes them.
/// </summary>
public static class RandomCornerHeads
{
    public static CornerHeads Create(int batch, int classes, int height, int width, HeatLogits kind, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

        float[] Heat()
        {
            var heat = new float[batch * classes * height * width];
            float constant = (float)(random.NextDouble() * 4 - 2);
            for (int i = 0; i < heat.Length; i++)
            {
                heat[i] = kind switch
                {
                    HeatLogits.Continuous => (float)(Normal() * 2 - 5),
                    HeatLogits.Quantised => MathF.Round((float)(Normal() * 2 - 3) * 4) / 4,
                    HeatLogits.Saturated => (float)(random.NextDouble() * 30 - 5),
                    HeatLogits.Background => (float)(Normal() * 1.5 - 6),
                    _ => constant,
                };
            }

            KeepOffScalarRemainders(heat);
            return heat;
        }

        bool coarse = kind is not (HeatLogits.Continuous or HeatLogits.Background);
        float[] Values(int channels, double scale) => Enumerable.Range(0, batch * channels * height * width)
            .Select(_ => (float)(random.NextDouble() * scale))
            .Select(v => coarse ? MathF.Round(v * 4) / 4 : v)
            .ToArray();

        return new CornerHeads(
            torch.tensor(Heat(), [batch, classes, height, width]),
            torch.tensor(Heat(), [batch, classes, height, width]),
            torch.tensor(Values(1, 3), [batch, 1, height, width]),
            torch.tensor(Values(1, 3), [batch, 1, height, width]),
            torch.tensor(Values(2, 1), [batch, 2, height, width]),
            torch.tensor(Values(2, 1), [batch, 2, height, width]));
    }

    /// <summary>
    /// libtorch's sigmoid takes the C library's expf, not its vector exp, for the last (length mod 32) elements of
    /// each thread's share of a tensor (see the model's TorchCpuSigmoid). Network heatmaps never have such remainders
    /// (their grids are multiples of 32); for odd grids those cells are made background, so that both decoders see
    /// the same sigmoid everywhere else.
    /// </summary>
    private static void KeepOffScalarRemainders(float[] heat)
    {
        const int grain = 32768, vectorBlock = 32; // two AVX-512 vectors per step
        long n = heat.Length;
        int threads = n < grain ? 1 : (int)Math.Min(torch.get_num_threads(), (n + grain - 1) / grain);
        long chunk = (n + threads - 1) / threads;
        for (long begin = 0; begin < n; begin += chunk)
        {
            long end = Math.Min(n, begin + chunk);
            for (long i = end - (end - begin) % vectorBlock; i < end; i++) heat[i] = -1000f;
        }
    }
}
