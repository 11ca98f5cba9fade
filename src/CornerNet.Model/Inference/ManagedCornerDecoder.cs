using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CornerNet.Model.Architecture;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Inference;

/// <summary>
/// <see cref="CornerDecoder"/> for heads in CPU memory, computed in managed code straight from the tensors'
/// memory and bit-identical to the torch-ops decoder (including libtorch's order of tied scores).
/// </summary>
/// <remarks>
/// Instead of a sigmoid, a max-pool and a top-K over every heatmap cell, one pass per image and corner type
/// streams the logits in index order into a K-entry heap that evolves exactly like libtorch's topk heap. A cell
/// can only change that heap if its score beats the heap's worst entry, and since the sigmoid is monotonic
/// (up to the last bit, hence a small margin) that needs its logit above the worst entry's logit: most cells
/// cost one vector comparison. The few that pass get the exact treatment: sigmoid as libtorch computes it and
/// the peak test over the sigmoids of their neighbourhood.
/// </remarks>
internal static class ManagedCornerDecoder
{
    /// <summary>Heatmap cells per corner pass from which the passes run in parallel.</summary>
    private const long ParallelCells = 1L << 20;

    public static CornerDetection[] Decode(CornerHeads heads, DetectorOptions options)
    {
        var shape = heads.TopLeftHeat.shape;
        int batch = (int)shape[0], classes = (int)shape[1], height = (int)shape[2], width = (int)shape[3];
        int k = options.TopK, numDets = options.NumDets, cells = height * width;
        if (numDets > (long)k * k) throw new ArgumentException($"NumDets {numDets} exceeds TopK² = {(long)k * k} pairs.");

        using var scope = torch.NewDisposeScope();
        var maps = new[]
        {
            Contiguous(heads.TopLeftHeat), Contiguous(heads.BottomRightHeat), Contiguous(heads.TopLeftTag),
            Contiguous(heads.BottomRightTag), Contiguous(heads.TopLeftOffset), Contiguous(heads.BottomRightOffset),
        };

        // corners[(image * 2 + type) * k ..]: the K best corners of each image and corner type, in topk order.
        var corners = ArrayPool<Corner>.Shared.Rent(batch * 2 * k);
        var result = new CornerDetection[(long)batch * numDets];
        try
        {
            int passes = batch * 2;
            if (passes > 1 && (long)classes * cells >= ParallelCells && Environment.ProcessorCount > 1)
            {
                Parallel.For(0, passes, pass => FindCorners(maps, pass, classes, height, width, options, corners));
            }
            else
            {
                for (int pass = 0; pass < passes; pass++) FindCorners(maps, pass, classes, height, width, options, corners);
            }

            for (int image = 0; image < batch; image++)
            {
                PairCorners(
                    corners.AsSpan(image * 2 * k, k), corners.AsSpan((image * 2 + 1) * k, k), options,
                    result.AsSpan(image * numDets, numDets));
            }
        }
        finally
        {
            ArrayPool<Corner>.Shared.Return(corners);
        }

        return result;
    }

    private static Tensor Contiguous(Tensor map) => map.is_contiguous() ? map : map.contiguous();

    private static ReadOnlySpan<float> Floats(Tensor map) => MemoryMarshal.Cast<byte, float>(map.bytes);

    /// <summary>Pass = image * 2 + corner type (0 top-left, 1 bottom-right): top-K, then tag and offset reads.</summary>
    private static void FindCorners(Tensor[] maps, int pass, int classes, int height, int width, DetectorOptions options, Corner[] corners)
    {
        int image = pass / 2, type = pass % 2, k = options.TopK, cells = height * width;
        var heat = Floats(maps[type]).Slice(image * classes * cells, classes * cells);
        var tags = Floats(maps[2 + type]).Slice(image * cells, cells);
        var offsets = Floats(maps[4 + type]).Slice(image * 2 * cells, 2 * cells);
        var best = ArrayPool<ScoredIndex>.Shared.Rent(k);
        try
        {
            var top = best.AsSpan(0, k);
            TopPeaks(heat, cells, height, width, (options.NmsKernel - 1) / 2, top);
            var output = corners.AsSpan(pass * k, k);
            for (int i = 0; i < k; i++)
            {
                int index = top[i].Index, cls = index / cells, cell = index - cls * cells, row = cell / width, column = cell - row * width;
                bool onBorder = type == 0 ? row == 0 || column == 0 : row == height - 1 || column == width - 1;
                output[i] = new Corner(
                    top[i].Score, cls, column + offsets[cell], row + offsets[cells + cell], tags[cell], onBorder);
            }
        }
        finally
        {
            ArrayPool<ScoredIndex>.Shared.Return(best);
        }
    }

    /// <summary>
    /// The K best cells of one image's [classes, height, width] logits after sigmoid and peak suppression, in
    /// the order libtorch's topk returns them.
    /// </summary>
    // Optimised at first call: a service's first requests should not run the scan unoptimised.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TopPeaks(ReadOnlySpan<float> heat, int cells, int height, int width, int radius, Span<ScoredIndex> top)
    {
        int n = heat.Length, k = top.Length;
        if (!TorchCpuTopK.UsesHeap(k, n))
        {
            // Small maps: libtorch selects over all cells at once, so score them all.
            var all = ArrayPool<ScoredIndex>.Shared.Rent(n);
            try
            {
                for (int i = 0; i < n; i++) all[i] = new ScoredIndex(PeakScore(heat, i, cells, height, width, radius), i);
                TorchCpuTopK.Select(all.AsSpan(0, n), k);
                all.AsSpan(0, k).CopyTo(top);
            }
            finally
            {
                ArrayPool<ScoredIndex>.Shared.Return(all);
            }

            return;
        }

        for (int i = 0; i < k; i++) top[i] = new ScoredIndex(PeakScore(heat, i, cells, height, width, radius), i);
        TorchCpuTopK.MakeHeap(top);
        var worst = new HeapBound(heat, top[0]);
        int lanes = Vector<float>.Count, block = 4 * lanes, j = k;
        ref float start = ref MemoryMarshal.GetReference(heat);
        for (; j + block <= n; j += block)
        {
            // Most blocks hold no logit above the bound: a few vector comparisons and one branch.
            var above = worst.Admits(Vector.LoadUnsafe(ref start, (nuint)j))
                        | worst.Admits(Vector.LoadUnsafe(ref start, (nuint)(j + lanes)))
                        | worst.Admits(Vector.LoadUnsafe(ref start, (nuint)(j + 2 * lanes)))
                        | worst.Admits(Vector.LoadUnsafe(ref start, (nuint)(j + 3 * lanes)));
            if (above == Vector<int>.Zero) continue;
            for (int i = j; i < j + block; i++)
            {
                if (worst.Admits(heat[i])) Offer(heat, i, cells, height, width, radius, top, ref worst);
            }
        }

        for (; j < n; j++)
        {
            if (worst.Admits(heat[j])) Offer(heat, j, cells, height, width, radius, top, ref worst);
        }

        TorchCpuTopK.SortHeap(top);
    }

    /// <summary>Scores cell i exactly and, if it beats the heap's worst entry, replaces it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Offer(ReadOnlySpan<float> heat, int i, int cells, int height, int width, int radius, Span<ScoredIndex> top, ref HeapBound worst)
    {
        // The sigmoid bounds the score (0 for a non-peak): most near misses need no neighbourhood.
        float sigmoid = TorchCpuSigmoid.Sigmoid(heat[i]);
        if (!TorchCpuTopK.Before(new ScoredIndex(sigmoid, i), top[0])) return;
        var candidate = new ScoredIndex(PeakScore(heat, i, cells, height, width, radius, sigmoid), i);
        if (!TorchCpuTopK.Before(candidate, top[0])) return;
        TorchCpuTopK.ReplaceTop(top, candidate);
        worst = new HeapBound(heat, top[0]);
    }

    /// <summary>
    /// Which logits could beat the heap's worst entry: those above a bound just below its logit (see
    /// <see cref="MonotonicBelow"/>), except its logit itself, whose sigmoid is the same float (plateaus of equal
    /// logits, such as a constant canvas border, are common). A zero score bounds nothing.
    /// </summary>
    private readonly struct HeapBound
    {
        private readonly float _below;
        private readonly float _same;
        private readonly Vector<float> _belowVector;
        private readonly Vector<float> _sameVector;

        public HeapBound(ReadOnlySpan<float> heat, ScoredIndex worst)
        {
            bool positive = worst.Score > 0;
            _same = positive ? heat[worst.Index] : float.NaN;
            _below = positive ? MonotonicBelow(_same) : float.NegativeInfinity;
            _belowVector = new Vector<float>(_below);
            _sameVector = new Vector<float>(_same);
        }

        public bool Admits(float logit) => logit > _below && logit != _same;

        public Vector<int> Admits(Vector<float> logits) =>
            Vector.AndNot(Vector.GreaterThan(logits, _belowVector), Vector.Equals(logits, _sameVector));
    }

    /// <summary>
    /// A logit whose sigmoid cannot exceed that of <paramref name="logit"/>, nor can any smaller one's. The float
    /// sigmoid is monotonic only up to the exp's last-bit error (at most 1 ulp, i.e. a relative 2^-23 per value),
    /// which logits 1e-5 apart (exp ratio 1 + 1e-5) are far beyond; positive scores are the sigmoid of the cell's
    /// own logit, so this bounds the scan without missing a cell.
    /// </summary>
    private static float MonotonicBelow(float logit) => MathF.Min(logit - 1e-5f, MathF.BitDecrement(logit));

    /// <summary>
    /// The cell's sigmoid if it equals the largest sigmoid of its (2r+1)² neighbourhood within its class plane,
    /// else 0: sigmoid, max_pool2d with -inf padding and the equality mask, for one cell.
    /// </summary>
    private static float PeakScore(ReadOnlySpan<float> heat, int index, int cells, int height, int width, int radius) =>
        PeakScore(heat, index, cells, height, width, radius, TorchCpuSigmoid.Sigmoid(heat[index]));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float PeakScore(ReadOnlySpan<float> heat, int index, int cells, int height, int width, int radius, float score)
    {
        if (radius == 0) return score;
        int plane = index / cells * cells, cell = index - plane, row = cell / width, column = cell - row * width;
        int top = Math.Max(0, row - radius), bottom = Math.Min(height - 1, row + radius);
        int left = Math.Max(0, column - radius), right = Math.Min(width - 1, column + radius);
        float below = MonotonicBelow(heat[index]);
        for (int y = top; y <= bottom; y++)
        {
            var line = heat.Slice(plane + y * width, width);
            for (int x = left; x <= right; x++)
            {
                // Only a neighbour with a larger logit (beyond the last-bit margin) can have a larger sigmoid.
                if (line[x] > below && TorchCpuSigmoid.Sigmoid(line[x]) > score) return 0f;
            }
        }

        return score;
    }

    /// <summary>All K×K pairs of one image, rejected ones at -1, ranked as topk(NumDets) ranks them, as boxes.</summary>
    private static void PairCorners(ReadOnlySpan<Corner> topLeft, ReadOnlySpan<Corner> bottomRight, DetectorOptions options, Span<CornerDetection> boxes)
    {
        int k = topLeft.Length, pairCount = k * k, numDets = options.NumDets;
        float threshold = options.AeThreshold;
        bool noBorder = options.NoBorder;
        var pairs = ArrayPool<ScoredIndex>.Shared.Rent(pairCount);
        try
        {
            for (int i = 0; i < k; i++)
            {
                var tl = topLeft[i];
                for (int j = 0; j < k; j++)
                {
                    var br = bottomRight[j];
                    bool rejected = tl.Class != br.Class || MathF.Abs(tl.Tag - br.Tag) > threshold || br.X < tl.X || br.Y < tl.Y
                                    || (noBorder && (tl.OnBorder || br.OnBorder));
                    pairs[i * k + j] = new ScoredIndex(rejected ? -1f : (tl.Score + br.Score) / 2, i * k + j);
                }
            }

            var ranked = pairs.AsSpan(0, pairCount);
            TorchCpuTopK.Select(ranked, numDets);
            for (int r = 0; r < numDets; r++)
            {
                int pair = ranked[r].Index;
                var tl = topLeft[pair / k];
                var br = bottomRight[pair % k];
                boxes[r] = new CornerDetection(tl.X, tl.Y, br.X, br.Y, ranked[r].Score, tl.Score, br.Score, tl.Class);
            }
        }
        finally
        {
            ArrayPool<ScoredIndex>.Shared.Return(pairs);
        }
    }

    /// <summary>One of the K best corners: score, class, sub-pixel position, embedding, and whether its cell lies on the
    /// map's border on its side (top row or left column for a top-left corner, bottom row or right column for a
    /// bottom-right one; the authors' <c>no_border</c> rejects pairs with such a corner).</summary>
    private readonly record struct Corner(float Score, int Class, float X, float Y, float Tag, bool OnBorder);
}
