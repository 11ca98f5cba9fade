using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// A 2-d convolution with PyTorch's parameter names (<c>weight</c>, <c>bias</c>) and initialisation, that also works
/// around a libtorch 2.10 CPU defect (see <see cref="ConvolutionSelfCheck"/>): when the check finds it, channel counts
/// the defect affects are zero-padded to a multiple of 16 (input channels always, output channels when gradients
/// are needed) and the padding is sliced off again, which is exact.
/// </summary>
public sealed class Conv2dLayer : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;

    // Not readonly: folding a BatchNorm gives a bias-free convolution its bias.
    [ComponentName(Name = "bias")]
    private Parameter? _bias;

    private readonly long _stride;
    private readonly long _padding;
    private readonly long _groups;

    // Set by EnableFusion (inference only): ForwardRelu and ForwardAddRelu run as one oneDNN call.
    private bool _fused;

    // groups: 1 for a dense convolution; the channel count for a depthwise one (each output channel sees one input
    // channel). Grouped convolutions are never padded: libtorch 2.10's depthwise 3x3 convolutions were measured
    // correct against float64 for every width (Conv2dLayerTests), and padding would regroup them.
    public Conv2dLayer(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true, int groups = 1)
        : base(nameof(Conv2dLayer))
    {
        // PyTorch's default initialisation, taken from a stock layer.
        using var template = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: bias, groups: groups);
        using (no_grad())
        {
            _weight = new Parameter(template.weight!.detach().clone());
            _bias = bias ? new Parameter(template.bias!.detach().clone()) : null;
        }

        _stride = stride;
        _padding = padding;
        _groups = groups;
        RegisterComponents();
    }

    public Parameter Weight => _weight;

    public Parameter? Bias => _bias;

    /// <summary>
    /// Folds the inference-mode BatchNorm that follows this convolution into it: BN(conv(x)) = conv'(x) with
    /// weight * gamma / sqrt(var + eps) per output channel and bias (bias - mean) * that + beta. Exact to float
    /// rounding; the BatchNorm must no longer run afterwards, and the layer is for inference only.
    /// </summary>
    public void FoldBatchNorm(BatchNorm2d batchNorm)
    {
        ArgumentNullException.ThrowIfNull(batchNorm);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (scale, shift) = ScaleAndShift(batchNorm);
        FoldAffine(scale, shift);
    }

    /// <summary>An inference-mode BatchNorm as y = x * scale + shift per channel.</summary>
    public static (Tensor Scale, Tensor Shift) ScaleAndShift(BatchNorm2d batchNorm)
    {
        ArgumentNullException.ThrowIfNull(batchNorm);
        using var noGrad = no_grad();
        var scale = batchNorm.weight! / (batchNorm.running_var! + batchNorm.eps).sqrt();
        return (scale, batchNorm.bias! - batchNorm.running_mean! * scale);
    }

    /// <summary>Folds a per-output-channel affine map y = conv(x) * scale + shift into the layer (see
    /// <see cref="FoldBatchNorm"/>); used when one BatchNorm follows the concatenation of several convolutions.</summary>
    public void FoldAffine(Tensor scale, Tensor shift)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(shift);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        if (_bias is not null) shift = shift + _bias * scale;
        _weight.mul_(scale.view(-1, 1, 1, 1));
        if (_bias is not null)
        {
            _bias.copy_(shift);
            return;
        }

        _bias = new Parameter(shift.detach().clone().DetachFromDisposeScope(), requires_grad: false);
        register_parameter("bias", _bias);
    }

    /// <summary>
    /// From now on <see cref="ForwardRelu"/> runs the convolution and the ReLU after it as one oneDNN call where
    /// <see cref="FusedConvolution"/> applies (inference only; exact in fp32).
    /// </summary>
    public void EnableFusion() => _fused = true;

    /// <summary>relu(this(input)), fused where it can be.</summary>
    public Tensor ForwardRelu(Tensor input) => CanFuse(input)
        ? FusedConvolution.ConvRelu(input, _weight, _bias!, _stride, _padding)
        : nn.functional.relu(forward(input), inplace: true);

    /// <summary>relu(this(input) + residual), the add in place on this layer's output (not fused: see <see cref="FusedConvolution"/>).</summary>
    public Tensor ForwardAddRelu(Tensor input, Tensor residual) => nn.functional.relu(forward(input).add_(residual), inplace: true);

    private bool CanFuse(Tensor input) =>
        _fused && _groups == 1 && ChannelsLast.Is(input)
        && ConvolutionSelfCheck.PaddedInputChannels(input.shape[1], _weight.shape[2], input.dtype) == input.shape[1]
        && FusedConvolution.Applies(input, _weight, _bias);

    public override Tensor forward(Tensor input)
    {
        var kernel = _weight.shape[2];
        if (_groups != 1) return Convolve(input, _weight, _bias);
        var inChannels = input.shape[1];
        var outChannels = _weight.shape[0];
        var paddedIn = ConvolutionSelfCheck.PaddedInputChannels(inChannels, kernel, input.dtype);
        var needsGradient = is_grad_enabled() && (input.requires_grad || _weight.requires_grad);
        var paddedOut = needsGradient ? ConvolutionSelfCheck.PaddedOutputChannels(outChannels, kernel, input.dtype) : outChannels;
        if (paddedIn == inChannels && paddedOut == outChannels)
        {
            return Convolve(input, _weight, _bias);
        }

        using var scope = NewDisposeScope();
        var weight = nn.functional.pad(_weight, [0, 0, 0, 0, 0, paddedIn - inChannels, 0, paddedOut - outChannels]);
        var bias = _bias is null || paddedOut == outChannels ? _bias : nn.functional.pad(_bias, [0, paddedOut - outChannels]);
        var output = Convolve(nn.functional.pad(input, [0, 0, 0, 0, 0, paddedIn - inChannels]), weight, bias);
        if (paddedOut != outChannels)
        {
            output = output[.., ..(int)outChannels];
        }

        return output.MoveToOuterDisposeScope();
    }

    private Tensor Convolve(Tensor input, Tensor weight, Tensor? bias) =>
        nn.functional.conv2d(input, weight, bias, strides: [_stride, _stride], padding: [_padding, _padding], groups: _groups);
}
