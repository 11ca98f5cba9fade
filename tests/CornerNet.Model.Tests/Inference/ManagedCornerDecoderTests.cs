using System.Globalization;
using CornerNet.Model.Inference;
using CornerNet.Tools.Common;
using TorchSharp;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// The managed CPU decoder against the torch-ops decoder (which the fixture tests tie to the authors' decode):
/// equal bit for bit, including the order libtorch's topk gives tied scores.
/// </summary>
public sealed class ManagedCornerDecoderTests
{
    public static TheoryData<int, int, int, int, int, int, HeatLogits> Shapes() => new()
    {
        // batch, classes, height, width, topK, numDets, logits
        { 1, 1, 5, 7, 20, 400, HeatLogits.Quantised },
        { 1, 1, 9, 11, 1, 1, HeatLogits.Continuous },
        { 2, 3, 7, 9, 10, 37, HeatLogits.Quantised },
        { 3, 5, 13, 17, 100, 1000, HeatLogits.Continuous },
        { 3, 5, 13, 17, 100, 1000, HeatLogits.Quantised },
        { 2, 7, 31, 33, 100, 1000, HeatLogits.Saturated },
        { 2, 80, 15, 21, 100, 1000, HeatLogits.Quantised },
        { 1, 80, 33, 47, 100, 1000, HeatLogits.Continuous },
        { 2, 4, 64, 64, 100, 1000, HeatLogits.Constant },
        { 2, 80, 128, 192, 100, 1000, HeatLogits.Continuous },
        { 2, 80, 128, 192, 100, 1000, HeatLogits.Quantised },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Managed_decoder_equals_the_torch_ops_decoder(int batch, int classes, int height, int width, int topK, int numDets, HeatLogits logits)
    {
        var options = new DetectorOptions { TopK = topK, NumDets = numDets };
        int seed = HashCode.Combine(batch, classes, height, width, topK, logits);
        using var scope = torch.NewDisposeScope();
        var heads = RandomCornerHeads.Create(batch, classes, height, width, logits, seed);

        var expected = CornerDecoder.DecodeWithTorchOps(heads, options);
        var actual = CornerDecoder.Decode(heads, options);

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!SameBits(expected[i], actual[i]))
            {
                Assert.Fail($"box {i} (image {i / numDets}, rank {i % numDets}): torch [{Row(expected[i])}], managed [{Row(actual[i])}]");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Kernel_sizes_other_than_three_agree(int kernel)
    {
        var options = new DetectorOptions { TopK = 50, NumDets = 300, NmsKernel = kernel };
        using var scope = torch.NewDisposeScope();
        var heads = RandomCornerHeads.Create(2, 6, 19, 23, HeatLogits.Quantised, kernel);
        Assert.Equal(CornerDecoder.DecodeWithTorchOps(heads, options), CornerDecoder.Decode(heads, options), SameBits);
    }

    [Fact]
    public void The_self_check_passes_on_this_libtorch()
    {
        // Otherwise Decode would quietly use the torch operations and the equality tests above would prove nothing.
        Assert.True(ManagedDecoderSelfCheck.Passed);
    }

    [Fact]
    public void Sigmoid_is_libtorchs_bit_for_bit()
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
    public void Top_k_tie_order_is_libtorchs(int k, int n, int distinctValues)
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

    private static string Row(CornerDetection box) =>
        string.Join(", ", Floats(box).Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + $", class {box.Class}";

    private static float[] Floats(CornerDetection box) =>
        [box.X1, box.Y1, box.X2, box.Y2, box.Score, box.TopLeftScore, box.BottomRightScore];

    /// <summary>Equal bit for bit (record equality would call 0 and -0 equal).</summary>
    private static bool SameBits(CornerDetection a, CornerDetection b) =>
        a.Class == b.Class && Floats(a).Zip(Floats(b)).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));
}
