using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// The managed CPU decoder against the torch-ops decoder (which the fixture tests tie to the authors' decode):
/// equal bit for bit, including the order libtorch's topk gives tied scores.
/// </summary>
public sealed class ManagedCornerDecoderTests
{
    /// <summary>How the random heatmap logits are drawn.</summary>
    public enum Logits
    {
        /// <summary>Continuous values, mostly background: few ties.</summary>
        Continuous,

        /// <summary>Multiples of 1/4: plateaus and many exactly tied scores and pair scores.</summary>
        Quantised,

        /// <summary>Large logits whose float sigmoids coincide (1.0 and its neighbours) although the logits differ.</summary>
        Saturated,

        /// <summary>Every cell the same: all ties, every cell a peak.</summary>
        Constant,
    }

    public static TheoryData<int, int, int, int, int, int, Logits> Shapes() => new()
    {
        // batch, classes, height, width, topK, numDets, logits
        { 1, 1, 5, 7, 20, 400, Logits.Quantised },
        { 1, 1, 9, 11, 1, 1, Logits.Continuous },
        { 2, 3, 7, 9, 10, 37, Logits.Quantised },
        { 3, 5, 13, 17, 100, 1000, Logits.Continuous },
        { 3, 5, 13, 17, 100, 1000, Logits.Quantised },
        { 2, 7, 31, 33, 100, 1000, Logits.Saturated },
        { 2, 80, 15, 21, 100, 1000, Logits.Quantised },
        { 1, 80, 33, 47, 100, 1000, Logits.Continuous },
        { 2, 4, 64, 64, 100, 1000, Logits.Constant },
        { 2, 80, 128, 192, 100, 1000, Logits.Continuous },
        { 2, 80, 128, 192, 100, 1000, Logits.Quantised },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ManagedDecoderEqualsTheTorchOpsDecoder(int batch, int classes, int height, int width, int topK, int numDets, Logits logits)
    {
        var options = new DetectorOptions { TopK = topK, NumDets = numDets };
        int seed = HashCode.Combine(batch, classes, height, width, topK, logits);
        using var scope = torch.NewDisposeScope();
        var heads = RandomHeads(batch, classes, height, width, logits, seed);

        var expected = CornerDecoder.DecodeWithTorchOps(heads, options);
        var actual = CornerDecoder.Decode(heads, options);

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                int row = i / CornerDecoder.RowLength;
                Assert.Fail($"row {row} (image {row / numDets}, rank {row % numDets}): torch [{Row(expected, row)}], managed [{Row(actual, row)}]");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void KernelSizesOtherThanThreeAgree(int kernel)
    {
        var options = new DetectorOptions { TopK = 50, NumDets = 300, NmsKernel = kernel };
        using var scope = torch.NewDisposeScope();
        var heads = RandomHeads(2, 6, 19, 23, Logits.Quantised, kernel);
        Assert.Equal(CornerDecoder.DecodeWithTorchOps(heads, options), CornerDecoder.Decode(heads, options));
    }

    [Fact]
    public void TheSelfCheckPassesOnThisLibtorch()
    {
        // Otherwise Decode would quietly use the torch operations and the equality tests above would prove nothing.
        Assert.True(ManagedDecoderSelfCheck.Passed);
    }

    [Fact]
    public void SigmoidIsLibtorchsBitForBit()
    {
        var random = new Random(11);
        const int n = 1 << 20;
        var logits = new float[n];
        for (int i = 0; i < n; i++)
        {
            double range = (i % 4) switch { 0 => 0.01, 1 => 5, 2 => 30, _ => 120 };
            logits[i] = (float)((random.NextDouble() * 2 - 1) * range);
        }

        using var scope = torch.NewDisposeScope();
        var expected = torch.tensor(logits).sigmoid().data<float>().ToArray();
        int differing = Enumerable.Range(0, n).Count(i =>
            BitConverter.SingleToInt32Bits(TorchCpuSigmoid.Sigmoid(logits[i])) != BitConverter.SingleToInt32Bits(expected[i]));
        Assert.Equal(0, differing);
    }

    [Theory]
    [InlineData(100, 1_000_000, 7)] // heap path
    [InlineData(1000, 10_000, 3)] // introselect + introsort path
    [InlineData(10, 10, 2)]
    [InlineData(40, 2_000, 50)]
    public void TopKTieOrderIsLibtorchs(int k, int n, int distinctValues)
    {
        var random = new Random(k + n);
        var values = Enumerable.Range(0, n).Select(_ => (float)random.Next(distinctValues)).ToArray();
        using var scope = torch.NewDisposeScope();
        var (expectedValues, expectedIndices) = torch.tensor(values).topk(k);
        var entries = values.Select((v, i) => new ScoredIndex(v, i)).ToArray();

        TorchCpuTopK.Select(entries, k);

        Assert.Equal(expectedValues.data<float>().ToArray(), entries[..k].Select(e => e.Score).ToArray());
        Assert.Equal(expectedIndices.data<long>().ToArray(), entries[..k].Select(e => (long)e.Index).ToArray());
    }

    private static string Row(float[] rows, int row) =>
        string.Join(", ", rows.AsSpan(row * CornerDecoder.RowLength, CornerDecoder.RowLength).ToArray().Select(v => v.ToString("R")));

    private static CornerHeads RandomHeads(int batch, int classes, int height, int width, Logits kind, int seed)
    {
        var random = new Random(seed);
        float[] Heat()
        {
            var heat = new float[batch * classes * height * width];
            float constant = (float)(random.NextDouble() * 4 - 2);
            for (int i = 0; i < heat.Length; i++)
            {
                double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                heat[i] = kind switch
                {
                    Logits.Continuous => (float)(normal * 2 - 5),
                    Logits.Quantised => MathF.Round((float)(normal * 2 - 3) * 4) / 4,
                    Logits.Saturated => (float)(random.NextDouble() * 30 - 5),
                    _ => constant,
                };
            }

            KeepOffScalarRemainders(heat);
            return heat;
        }

        float[] Values(int channels, double scale, bool quantised) => Enumerable.Range(0, batch * channels * height * width)
            .Select(_ => (float)(random.NextDouble() * scale))
            .Select(v => quantised ? MathF.Round(v * 4) / 4 : v)
            .ToArray();

        bool coarse = kind != Logits.Continuous;
        return new CornerHeads(
            torch.tensor(Heat(), [batch, classes, height, width]),
            torch.tensor(Heat(), [batch, classes, height, width]),
            torch.tensor(Values(1, 3, coarse), [batch, 1, height, width]),
            torch.tensor(Values(1, 3, coarse), [batch, 1, height, width]),
            torch.tensor(Values(2, 1, coarse), [batch, 2, height, width]),
            torch.tensor(Values(2, 1, coarse), [batch, 2, height, width]));
    }

    /// <summary>
    /// libtorch's sigmoid takes the C library's expf, not its vector exp, for the last (length mod 32) elements of
    /// each thread's share of a tensor (see <see cref="TorchCpuSigmoid"/>). Network heatmaps never have such
    /// remainders (their grids are multiples of 32); for the odd test grids those cells are made background, so
    /// that both decoders see the same sigmoid everywhere else.
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
