using System.Runtime.InteropServices;
using CornerNet.Model.Architecture;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Inference;

/// <summary>
/// The authors' <c>_decode</c>: heatmap sigmoid, max-pool peak suppression, top-K corners per corner type over
/// all classes, sub-pixel offsets, all K×K corner pairs, rejection of pairs with different classes, distant
/// embeddings, negative width/height or (with <see cref="DetectorOptions.NoBorder"/>) a corner on the map's border
/// (score -1), and the best NumDets pairs. Float32 heads in CPU memory are
/// decoded in managed code (<see cref="ManagedCornerDecoder"/>), bit-identical to the torch operations, which
/// still serve every other device (so the work stays there and the result reaches the host in one copy) and any
/// libtorch whose CPU kernels fail <see cref="ManagedDecoderSelfCheck"/>.
/// </summary>
public static class CornerDecoder
{
    /// <summary>
    /// Decodes every image of the batch into <c>batch * NumDets</c> boxes, image by image, best first, corners in
    /// output-grid units. Rejected pairs keep score -1 and are ranked last. Call inside a dispose scope:
    /// intermediates are left to it.
    /// </summary>
    public static CornerDetection[] Decode(CornerHeads heads, DetectorOptions options)
    {
        CheckArguments(heads, options);
        bool managed = heads.All.All(t => CornerDecoderSelection.For(t.device_type, t.dtype) == CornerDecoderKind.Managed);
        return managed ? ManagedCornerDecoder.Decode(heads, options) : DecodeWithTorchOps(heads, options);
    }

    /// <summary>
    /// <see cref="Decode"/> with torch operations on the heads' device, whatever it is: the path for CUDA heads,
    /// and the reference the managed path is tested and benchmarked against.
    /// </summary>
    public static CornerDetection[] DecodeWithTorchOps(CornerHeads heads, DetectorOptions options)
    {
        CheckArguments(heads, options);
        var shape = heads.TopLeftHeat.shape;
        long batch = shape[0], height = shape[2], width = shape[3], cells = height * width;
        int k = options.TopK;

        using var _ = torch.no_grad();
        var (tlScores, tlCells, tlClasses, tlX, tlY) = Corners(heads.TopLeftHeat, options.NmsKernel, k, cells, width);
        var (brScores, brCells, brClasses, brX, brY) = Corners(heads.BottomRightHeat, options.NmsKernel, k, cells, width);
        // The authors' no_border: a top-left corner in the first row or column, or a bottom-right one in the last.
        var tlOnBorder = tlY.eq(0).logical_or_(tlX.eq(0));
        var brOnBorder = brY.eq(height - 1).logical_or_(brX.eq(width - 1));

        var tlOffset = GatherCells(heads.TopLeftOffset, tlCells, 2, cells);
        var brOffset = GatherCells(heads.BottomRightOffset, brCells, 2, cells);
        tlX = tlX + tlOffset[.., 0];
        tlY = tlY + tlOffset[.., 1];
        brX = brX + brOffset[.., 0];
        brY = brY + brOffset[.., 1];
        var tlTag = GatherCells(heads.TopLeftTag, tlCells, 1, cells)[.., 0];
        var brTag = GatherCells(heads.BottomRightTag, brCells, 1, cells)[.., 0];

        // Pairs: top-left corner i along dim 1, bottom-right corner j along dim 2.
        var scores = (tlScores.unsqueeze(2) + brScores.unsqueeze(1)) / 2;
        var rejected = tlClasses.unsqueeze(2).ne(brClasses.unsqueeze(1))
            .logical_or_((tlTag.unsqueeze(2) - brTag.unsqueeze(1)).abs().gt(options.AeThreshold))
            .logical_or_(brX.unsqueeze(1).lt(tlX.unsqueeze(2)))
            .logical_or_(brY.unsqueeze(1).lt(tlY.unsqueeze(2)));
        if (options.NoBorder) rejected.logical_or_(tlOnBorder.unsqueeze(2)).logical_or_(brOnBorder.unsqueeze(1));
        scores.masked_fill_(rejected, -1);

        var (best, pair) = scores.view(batch, -1).topk(options.NumDets);
        var i = pair.div(k, rounding_mode: RoundingMode.floor);
        var j = pair.remainder(k);
        // The authors' row layout (see CornerDetection.AuthorsColumns), read back into typed rows on the host.
        var rows = torch.stack(
            [
                tlX.gather(1, i), tlY.gather(1, i), brX.gather(1, j), brY.gather(1, j),
                best, tlScores.gather(1, i), brScores.gather(1, j), tlClasses.gather(1, i).to(ScalarType.Float32),
            ],
            dim: 2);

        var host = rows.to(ScalarType.Float32).cpu().contiguous();
        return CornerDetection.FromAuthorsRows(MemoryMarshal.Cast<byte, float>(host.bytes));
    }

    private static void CheckArguments(CornerHeads heads, DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(options);
        var shape = heads.TopLeftHeat.shape;
        if (shape.Length != 4) throw new ArgumentException($"Heatmaps must be [batch, classes, height, width], got [{string.Join(", ", shape)}].");
        long cells = shape[1] * shape[2] * shape[3];
        if (cells < options.TopK) throw new ArgumentException($"TopK {options.TopK} exceeds the {cells} heatmap cells.");
        if (cells > int.MaxValue / 4) throw new ArgumentException($"Heatmaps of {cells} cells per image are too large.");
    }

    /// <summary>Sigmoid, peak suppression and the top K cells over all classes: scores, cell index, class, x, y.</summary>
    private static (Tensor Scores, Tensor Cells, Tensor Classes, Tensor X, Tensor Y) Corners(Tensor logits, int kernel, int k, long cells, long width)
    {
        var heat = logits.sigmoid();
        if (kernel > 1)
        {
            // A cell survives only if it equals the maximum of its kernel × kernel neighbourhood (plateaus survive whole).
            int pad = (kernel - 1) / 2;
            var neighbourhoodMax = nn.functional.max_pool2d(heat, kernel, stride: 1, padding: pad);
            heat.masked_fill_(neighbourhoodMax.ne(heat), 0);
        }

        var (scores, index) = heat.view(heat.shape[0], -1).topk(k);
        var classes = index.div(cells, rounding_mode: RoundingMode.floor);
        var cell = index.remainder(cells);
        var y = cell.div(width, rounding_mode: RoundingMode.floor).to(ScalarType.Float32);
        var x = cell.remainder(width).to(ScalarType.Float32);
        return (scores, cell, classes, x, y);
    }

    /// <summary>Values of a [batch, channels, H, W] map at the given cells: [batch, channels, K].</summary>
    private static Tensor GatherCells(Tensor map, Tensor cells, long channels, long cellCount)
    {
        long batch = map.shape[0];
        return map.reshape(batch, channels, cellCount).gather(2, cells.unsqueeze(1).expand(batch, channels, cells.shape[1]));
    }
}
