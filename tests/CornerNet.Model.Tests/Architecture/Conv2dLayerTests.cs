using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Architecture;

public class Conv2dLayerTests
{
    /// <summary>Whatever libtorch does with tail channels on this machine, our layer agrees with float64.</summary>
    [Theory]
    [InlineData(3, 16, 3, 1)]
    [InlineData(20, 24, 3, 1)]
    [InlineData(24, 24, 3, 2)]
    [InlineData(40, 8, 3, 1)]
    [InlineData(24, 24, 1, 1)]
    [InlineData(64, 32, 3, 1)]
    public void Matches_a_float64_convolution(int inChannels, int outChannels, int kernel, int stride)
    {
        using var scope = NewDisposeScope();
        using var layer = new Conv2dLayer(inChannels, outChannels, kernel, stride, padding: (kernel - 1) / 2);
        var input = randn(2, inChannels, 16, 24);
        var actual = layer.forward(input).to_type(ScalarType.Float64);
        var exact = nn.functional.conv2d(input.to_type(ScalarType.Float64), layer.Weight.to_type(ScalarType.Float64),
            layer.Bias!.to_type(ScalarType.Float64), strides: [stride, stride], padding: [(kernel - 1) / 2, (kernel - 1) / 2]);
        var relativeError = ((actual - exact).abs().max() / exact.abs().max()).item<double>();
        Assert.True(relativeError < 1e-5, $"relative error {relativeError}");
    }

    [Fact]
    public void Gradients_match_a_float64_convolution_when_inputs_are_padded()
    {
        using var scope = NewDisposeScope();
        using var layer = new Conv2dLayer(24, 8, 3, padding: 1, bias: false);
        var input = randn(2, 24, 8, 8).requires_grad_(true);
        layer.forward(input).square().sum().backward();

        var input64 = input.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var weight64 = layer.Weight.detach().to_type(ScalarType.Float64).requires_grad_(true);
        nn.functional.conv2d(input64, weight64, padding: [1, 1]).square().sum().backward();

        AssertClose(input.grad!, input64.grad!, "input gradient");
        AssertClose(layer.Weight.grad!, weight64.grad!, "weight gradient");
    }

    private static void AssertClose(Tensor actual, Tensor exact, string what)
    {
        var relativeError = ((actual.to_type(ScalarType.Float64) - exact).abs().max() / exact.abs().max()).item<double>();
        Assert.True(relativeError < 1e-5, $"{what}: relative error {relativeError}");
    }

    [Fact]
    public void Uses_pytorchs_parameter_names()
    {
        using var layer = new Conv2dLayer(4, 8, 3);
        Assert.Equal(["weight", "bias"], layer.named_parameters().Select(p => p.name));
    }
}
