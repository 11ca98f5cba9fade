using System.Collections.Concurrent;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// A 2-d transposed convolution (PyTorch's <c>nn.ConvTranspose2d</c>: <c>weight</c> [in, out, k, k], <c>bias</c> [out])
/// guarded against the libtorch 2.10 CPU defect of <see cref="ConvolutionSelfCheck"/>. On this machine the defect hits
/// transposed convolutions on NCHW tensors with widths that dense convolutions get right (e.g. 48 -> 48: forward and
/// weight gradient off by 20-40%; 24 -> 24: input gradient), while channels-last tensors were right for every width
/// measured. So each (widths, dtype, layout) is checked once per process against float64 (<see cref="Probe"/>); a
/// layout that fails runs in the other layout, and if both fail the layer computes in float64.
/// </summary>
public sealed class TransposedConv2dLayer : nn.Module<Tensor, Tensor>
{
    private static readonly ConcurrentDictionary<(long In, long Out, long Kernel, long Stride, long Padding, ScalarType Type, bool ChannelsLast, bool Gradients), bool> Verdicts = new();

    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;
    [ComponentName(Name = "bias")]
    private readonly Parameter? _bias;

    private readonly long _stride;
    private readonly long _padding;

    public TransposedConv2dLayer(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true)
        : base(nameof(TransposedConv2dLayer))
    {
        // PyTorch's default initialisation, taken from a stock layer.
        using var template = nn.ConvTranspose2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: bias);
        using (no_grad())
        {
            _weight = new Parameter(template.weight!.detach().clone());
            _bias = bias ? new Parameter(template.bias!.detach().clone()) : null;
        }

        _stride = stride;
        _padding = padding;
        RegisterComponents();
    }

    public Parameter Weight => _weight;

    public Parameter? Bias => _bias;

    public override Tensor forward(Tensor input)
    {
        var gradients = is_grad_enabled() && (input.requires_grad || _weight.requires_grad);
        var channelsLast = ChannelsLast.Is(input);
        if (IsCorrect(input.dtype, channelsLast, gradients)) return Convolve(input, _weight, _bias);

        using var scope = NewDisposeScope();
        if (IsCorrect(input.dtype, !channelsLast, gradients))
        {
            var other = channelsLast ? input.contiguous() : ChannelsLast.From(input);
            var result = Convolve(other, _weight, _bias);
            return (channelsLast ? ChannelsLast.From(result) : result.contiguous()).MoveToOuterDisposeScope();
        }

        var exact = Convolve(input.to(ScalarType.Float64), _weight.to(ScalarType.Float64), _bias?.to(ScalarType.Float64));
        return exact.to(input.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>True when libtorch computes this layer's transposed convolution (and its gradients, when
    /// <paramref name="gradients"/>) correctly for <paramref name="dtype"/> inputs in the given layout.</summary>
    public bool IsCorrect(ScalarType dtype, bool channelsLast, bool gradients)
    {
        if (dtype == ScalarType.Float64 || _weight.device.type != DeviceType.CPU) return true;
        var key = (_weight.shape[0], _weight.shape[1], _weight.shape[2], _stride, _padding, dtype, channelsLast, gradients);
        return Verdicts.GetOrAdd(key, k => Probe(k.In, k.Out, k.Kernel, k.Stride, k.Padding, k.Type, k.ChannelsLast, k.Gradients));
    }

    private Tensor Convolve(Tensor input, Tensor weight, Tensor? bias) =>
        nn.functional.conv_transpose2d(input, weight, bias, strides: [_stride, _stride], padding: [_padding, _padding]);

    /// <summary>One small transposed convolution with these widths, compared with float64: forward, and when
    /// <paramref name="gradients"/> the input and weight gradients. bf16 gets bf16's tolerance, so only gross
    /// errors count.</summary>
    private static bool Probe(long inChannels, long outChannels, long kernel, long stride, long padding, ScalarType dtype, bool channelsLast, bool gradients)
    {
        using var scope = NewDisposeScope();
        using var enableGrad = enable_grad(gradients);
        var generator = new Generator(20_26);
        var input = randn([2, inChannels, 6, 10], generator: generator);
        var weight = randn([inChannels, outChannels, kernel, kernel], generator: generator);
        var x = input.to(dtype);
        if (channelsLast) x = ChannelsLast.From(x);
        x = x.detach().requires_grad_(gradients);
        var w = weight.to(dtype).detach().requires_grad_(gradients);
        var y = nn.functional.conv_transpose2d(x, w, strides: [stride, stride], padding: [padding, padding]);
        var x64 = input.to(ScalarType.Float64).requires_grad_(gradients);
        var w64 = weight.to(ScalarType.Float64).requires_grad_(gradients);
        var y64 = nn.functional.conv_transpose2d(x64, w64, strides: [stride, stride], padding: [padding, padding]);
        var tolerance = dtype == ScalarType.BFloat16 || dtype == ScalarType.Float16 ? 0.03 : 1e-4;
        if (RelativeError(y, y64) > tolerance) return false;
        if (!gradients) return true;

        var upstream = randn(y64.shape, generator: generator);
        (y * upstream.to(dtype)).sum().backward();
        (y64 * upstream.to(ScalarType.Float64)).sum().backward();
        return RelativeError(x.grad!, x64.grad!) <= tolerance && RelativeError(w.grad!, w64.grad!) <= tolerance;
    }

    private static double RelativeError(Tensor actual, Tensor exact) =>
        ((actual.to(ScalarType.Float64) - exact).abs().max() / exact.abs().max()).item<double>();
}
