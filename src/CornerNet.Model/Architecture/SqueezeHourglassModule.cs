using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// One level of CornerNet-Squeeze's hourglass (the authors' <c>hg_module</c> with CornerNet_Squeeze's layer makers):
/// <c>up1</c> fire modules at full resolution; <c>low1</c> fire modules starting with a stride-2 one (no pooling);
/// <c>low2</c> the next level, or fire modules at the bottom; <c>low3</c> fire modules back to this level's width;
/// <c>up2</c> a 4x4 stride-2 transposed convolution (with bias) instead of nearest upsampling; output up1 + up2.
/// The authors' <c>max1</c> (an empty Sequential) and <c>merg</c> have no weights.
/// </summary>
public sealed class SqueezeHourglassModule : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "up1")]
    private readonly Sequential _up1;
    [ComponentName(Name = "low1")]
    private readonly Sequential _low1;
    [ComponentName(Name = "low2")]
    private readonly nn.Module<Tensor, Tensor> _low2;
    [ComponentName(Name = "low3")]
    private readonly Sequential _low3;
    [ComponentName(Name = "up2")]
    private readonly TransposedConv2dLayer _upsample;

    /// <param name="depth">Levels below this one, including it (the authors' n).</param>
    /// <param name="dims">Widths from this level down; depth + 1 entries.</param>
    /// <param name="modules">Fire modules per level from this level down; depth + 1 entries.</param>
    public SqueezeHourglassModule(int depth, ReadOnlySpan<int> dims, ReadOnlySpan<int> modules) : base(nameof(SqueezeHourglassModule))
    {
        int currentDim = dims[0], nextDim = dims[1];
        int currentModules = modules[0], nextModules = modules[1];

        _up1 = FireModule.Chain(currentDim, currentDim, currentModules);
        _low1 = FireModule.Chain(currentDim, nextDim, currentModules, firstStride: 2);
        _low2 = depth > 1
            ? new SqueezeHourglassModule(depth - 1, dims[1..], modules[1..])
            : FireModule.Chain(nextDim, nextDim, nextModules);
        _low3 = FireModule.ReverseChain(nextDim, currentDim, currentModules);
        _upsample = new TransposedConv2dLayer(currentDim, currentDim, 4, stride: 2, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var skip = _up1.forward(input);
        var upsampled = _upsample.forward(_low3.forward(_low2.forward(_low1.forward(input))));
        // An odd-sized level (e.g. 13 -> 7 -> 14) comes back one too large; the authors' canvases never do this.
        if (upsampled.shape[2] != skip.shape[2] || upsampled.shape[3] != skip.shape[3])
        {
            upsampled = upsampled[.., .., ..(int)skip.shape[2], ..(int)skip.shape[3]];
        }

        var merged = is_grad_enabled() ? skip + upsampled : skip.add_(upsampled);
        return merged.MoveToOuterDisposeScope();
    }
}
