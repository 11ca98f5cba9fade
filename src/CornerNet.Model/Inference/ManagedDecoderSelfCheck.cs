using TorchSharp;

namespace CornerNet.Model.Inference;

/// <summary>
/// Checks once per process that this libtorch computes the sigmoid and orders topk ties exactly as
/// <see cref="TorchCpuSigmoid"/> and <see cref="TorchCpuTopK"/> assume (they mirror its CPU kernels, which differ
/// with the CPU's instruction set and the C++ library libtorch was built with). If not, the decoder keeps to
/// torch operations: slower, but the same results as the authors' code.
/// </summary>
internal static class ManagedDecoderSelfCheck
{
    private static readonly Lazy<bool> Result = new(Run);

    public static bool Passed => Result.Value;

    private static bool Run()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var random = new Random(2018);

        // A multiple of 64 elements, below libtorch's parallel grain: every element takes the vector path.
        var logits = new float[8192];
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)((random.NextDouble() * 2 - 1) * (i % 2 == 0 ? 12 : 40));
        var expected = torch.tensor(logits).sigmoid().data<float>().ToArray();
        for (int i = 0; i < logits.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(TorchCpuSigmoid.Sigmoid(logits[i])) != BitConverter.SingleToInt32Bits(expected[i])) return false;
        }

        // Both of topk's strategies, on values with many ties.
        return TiesMatch(random, k: 100, n: 6400) && TiesMatch(random, k: 1000, n: 10_000);
    }

    private static bool TiesMatch(Random random, int k, int n)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = random.Next(8);
        var (_, indices) = torch.tensor(values).topk(k);
        var expected = indices.data<long>().ToArray();
        var entries = new ScoredIndex[n];
        for (int i = 0; i < n; i++) entries[i] = new ScoredIndex(values[i], i);
        TorchCpuTopK.Select(entries, k);
        for (int i = 0; i < k; i++)
        {
            if (entries[i].Index != expected[i]) return false;
        }

        return true;
    }
}
