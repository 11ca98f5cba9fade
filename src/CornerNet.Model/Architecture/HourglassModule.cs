using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// One level of an hourglass (the authors' <c>kp_module</c>, CornerNet variant): a skip branch <c>up1</c> at full
/// resolution, and a low branch that halves the resolution with a stride-2 residual (<c>low1</c>; no max-pool),
/// recurses (<c>low2</c>), maps back to this level's width (<c>low3</c>) and is upsampled by nearest-neighbour x2.
/// CornerNet-Saccade's <c>saccade_module</c> has the same layers and keys and also hands out every level's merge output
/// (<see cref="ForwardWithMerges"/>), which its attention heads read.
/// </summary>
public sealed class HourglassModule : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "up1")]
    private readonly Sequential _up1;
    [ComponentName(Name = "low1")]
    private readonly Sequential _low1;
    [ComponentName(Name = "low2")]
    private readonly nn.Module<Tensor, Tensor> _low2;
    [ComponentName(Name = "low3")]
    private readonly Sequential _low3;

    /// <param name="depth">Levels below this one, including it (the authors' n).</param>
    /// <param name="dims">Widths from this level down; depth + 1 entries.</param>
    /// <param name="modules">Residuals per level from this level down; depth + 1 entries.</param>
    public HourglassModule(int depth, ReadOnlySpan<int> dims, ReadOnlySpan<int> modules) : base(nameof(HourglassModule))
    {
        int currentDim = dims[0], nextDim = dims[1];
        int currentModules = modules[0], nextModules = modules[1];

        _up1 = Residual.Chain(currentDim, currentDim, currentModules);
        _low1 = Residual.Chain(currentDim, nextDim, currentModules, firstStride: 2);
        _low2 = depth > 1
            ? new HourglassModule(depth - 1, dims[1..], modules[1..])
            : Residual.Chain(nextDim, nextDim, nextModules);
        _low3 = Residual.ReverseChain(nextDim, currentDim, currentModules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => ForwardWithMerges(input, merges: null);

    /// <summary>The hourglass's output; with <paramref name="merges"/>, also appends every level's merge output to it,
    /// innermost (coarsest) level first and this level's own (the returned tensor) last, as the authors' saccade_module
    /// lists them. The appended tensors belong to the caller's dispose scope.</summary>
    public Tensor ForwardWithMerges(Tensor input, List<Tensor>? merges)
    {
        using var scope = NewDisposeScope();
        var first = merges?.Count ?? 0;
        var skip = _up1.forward(input);
        var down = _low1.forward(input);
        var inner = merges is not null && _low2 is HourglassModule level
            ? level.ForwardWithMerges(down, merges)
            : _low2.forward(down);
        var merged = Merge(skip, _low3.forward(inner));
        if (merges is not null)
        {
            merges.Add(merged);
            for (var i = first; i < merges.Count - 1; i++) merges[i].MoveToOuterDisposeScope();
        }

        return merged.MoveToOuterDisposeScope();
    }

    /// <summary>A level's output: <paramref name="skip"/> plus <paramref name="low"/> upsampled x2 (nearest neighbour).
    /// Without gradients the sum is written into <paramref name="skip"/>.</summary>
    public static Tensor Merge(Tensor skip, Tensor low)
    {
        ArgumentNullException.ThrowIfNull(skip);
        ArgumentNullException.ThrowIfNull(low);
        using var scope = NewDisposeScope();
        if (!is_grad_enabled() && AddUpsampledInPlace(skip, low)) return skip.alias().MoveToOuterDisposeScope();
        var upsampled = UpsampleNearest2x(low);
        // An odd-sized level (e.g. 191 -> 96 -> 192) upsamples one past the skip; the authors' sizes never do this,
        // but crop rather than fail so any canvas works.
        if (upsampled.shape[2] != skip.shape[2] || upsampled.shape[3] != skip.shape[3])
        {
            upsampled = upsampled[.., .., ..(int)skip.shape[2], ..(int)skip.shape[3]];
        }

        // The skip is a ReLU output that autograd keeps for the backward pass: add in place only without gradients.
        return (is_grad_enabled() ? skip + upsampled : skip.add_(upsampled)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// skip += upsample2x(low) in one pass, without writing the upsampled tensor: <paramref name="skip"/> is viewed as
    /// [b, h, 2, w, 2, c] (channels-last; [b, c, h, 2, w, 2] when contiguous NCHW) and <paramref name="low"/> is added
    /// to it broadcast over the two 2s. The same additions of the same values as adding the upsampled copy, so exact.
    /// False (nothing done) when the sizes are not exactly double or the layouts do not allow the views.
    /// </summary>
    private static bool AddUpsampledInPlace(Tensor skip, Tensor low)
    {
        long b = low.shape[0], c = low.shape[1], h = low.shape[2], w = low.shape[3];
        if (skip.shape[0] != b || skip.shape[1] != c || skip.shape[2] != 2 * h || skip.shape[3] != 2 * w || skip.dtype != low.dtype) return false;
        if (ChannelsLast.Is(skip) && ChannelsLast.Is(low))
        {
            using var target = skip.permute(0, 2, 3, 1).view(b, h, 2, w, 2, c);
            using var source = low.permute(0, 2, 3, 1).view(b, h, 1, w, 1, c);
            target.add_(source);
            return true;
        }

        if (skip.is_contiguous() && low.is_contiguous())
        {
            using var target = skip.view(b, c, h, 2, w, 2);
            using var source = low.view(b, c, h, 1, w, 1);
            target.add_(source);
            return true;
        }

        return false;
    }

    /// <summary>Nearest-neighbour x2 (nn.Upsample(scale_factor=2)) as one broadcast copy, in the input's layout
    /// (channels-last stays channels-last, which the following add and convolutions need to stay fast).</summary>
    private static Tensor UpsampleNearest2x(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        if (ChannelsLast.Is(x))
        {
            using var rows = x.permute(0, 2, 3, 1);
            using var repeated = rows.view(b, h, 1, w, 1, c).expand(b, h, 2, w, 2, c);
            using var doubled = repeated.reshape(b, h * 2, w * 2, c);
            return doubled.permute(0, 3, 1, 2);
        }

        using var expanded = x.view(b, c, h, 1, w, 1).expand(b, c, h, 2, w, 2);
        return expanded.reshape(b, c, h * 2, w * 2);
    }
}
