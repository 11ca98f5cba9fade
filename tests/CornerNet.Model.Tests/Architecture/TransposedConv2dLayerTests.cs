using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Architecture;

/// <summary>The layers CornerNet-Squeeze adds, against float64 (libtorch 2.10 was seen to get 4x4/2 transposed
/// convolutions of 40 and 48 channels wrong on NCHW tensors, and the input gradient at 20 and 24).</summary>
public class TransposedConv2dLayerTests
{
    [Theory]
    [InlineData(16, false)]
    [InlineData(24, false)]
    [InlineData(40, false)]
    [InlineData(48, false)]
    [InlineData(48, true)]
    [InlineData(256, false)]
    [InlineData(384, true)]
    public void Matches_a_float64_transposed_convolution(int channels, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var layer = new TransposedConv2dLayer(channels, channels, 4, stride: 2, padding: 1);
        var input = randn(2, channels, 6, 10);
        if (channelsLast) input = ChannelsLast.From(input);
        using (no_grad())
        {
            var actual = layer.forward(input);
            Assert.Equal(channelsLast, ChannelsLast.Is(actual));
            AssertClose(actual, Exact(input, layer), "forward");
        }
    }

    [Theory]
    [InlineData(20)]
    [InlineData(24)]
    [InlineData(48)]
    public void Gradients_match_a_float64_transposed_convolution(int channels)
    {
        using var scope = NewDisposeScope();
        using var layer = new TransposedConv2dLayer(channels, channels, 4, stride: 2, padding: 1);
        var input = randn(2, channels, 6, 10).requires_grad_(true);
        layer.forward(input).square().sum().backward();

        var input64 = input.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var weight64 = layer.Weight.detach().to_type(ScalarType.Float64).requires_grad_(true);
        nn.functional.conv_transpose2d(input64, weight64, layer.Bias!.detach().to_type(ScalarType.Float64), strides: [2, 2], padding: [1, 1])
            .square().sum().backward();

        AssertClose(input.grad!, input64.grad!, "input gradient");
        AssertClose(layer.Weight.grad!, weight64.grad!, "weight gradient");
    }

    [Theory]
    [InlineData(16, 1, false)]
    [InlineData(24, 1, false)]
    [InlineData(24, 2, true)]
    [InlineData(40, 1, true)]
    [InlineData(192, 2, false)]
    public void Depthwise_convolutions_match_float64_with_their_gradients(int channels, int stride, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var layer = new Conv2dLayer(channels, channels, 3, stride, padding: 1, bias: false, groups: channels);
        var input = randn(2, channels, 12, 20);
        if (channelsLast) input = ChannelsLast.From(input);
        input = input.detach().requires_grad_(true);
        var output = layer.forward(input);
        output.square().sum().backward();

        var input64 = input.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var weight64 = layer.Weight.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var exact = nn.functional.conv2d(input64, weight64, strides: [stride, stride], padding: [1, 1], groups: channels);
        exact.square().sum().backward();

        AssertClose(output, exact, "forward");
        AssertClose(input.grad!, input64.grad!, "input gradient");
        AssertClose(layer.Weight.grad!, weight64.grad!, "weight gradient");
    }

    [Fact]
    public void Uses_pytorchs_parameter_names_and_shapes()
    {
        using var layer = new TransposedConv2dLayer(8, 6, 4, stride: 2, padding: 1);
        Assert.Equal(["weight", "bias"], layer.named_parameters().Select(p => p.name));
        Assert.Equal([8L, 6, 4, 4], layer.Weight.shape);
    }

    private static Tensor Exact(Tensor input, TransposedConv2dLayer layer) =>
        nn.functional.conv_transpose2d(input.to_type(ScalarType.Float64), layer.Weight.to_type(ScalarType.Float64),
            layer.Bias!.to_type(ScalarType.Float64), strides: [2, 2], padding: [1, 1]);

    private static void AssertClose(Tensor actual, Tensor exact, string what)
    {
        var relativeError = ((actual.to_type(ScalarType.Float64) - exact).abs().max() / exact.abs().max()).item<double>();
        Assert.True(relativeError < 1e-5, $"{what}: relative error {relativeError}");
    }
}
