using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Architecture;

public class CornerNetNetworkTests
{
    [Fact]
    public void Inference_returns_the_last_stack_heads_at_a_quarter_of_the_canvas()
    {
        using var scope = NewDisposeScope();
        using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
        network.eval();
        using var noGrad = no_grad();
        var heads = network.forward(randn(2, 3, 127, 255));

        var classes = ArchitecturePresets.Tiny.ClassCount;
        Assert.Equal(new long[] { 2, classes, 32, 64 }, heads.TopLeftHeat.shape);
        Assert.Equal(new long[] { 2, classes, 32, 64 }, heads.BottomRightHeat.shape);
        Assert.Equal(new long[] { 2, 1, 32, 64 }, heads.TopLeftTag.shape);
        Assert.Equal(new long[] { 2, 1, 32, 64 }, heads.BottomRightTag.shape);
        Assert.Equal(new long[] { 2, 2, 32, 64 }, heads.TopLeftOffset.shape);
        Assert.Equal(new long[] { 2, 2, 32, 64 }, heads.BottomRightOffset.shape);
    }

    [Fact]
    public void Training_forward_returns_every_stack_and_the_last_equals_inference()
    {
        using var scope = NewDisposeScope();
        using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
        network.eval();
        using var noGrad = no_grad();
        var input = randn(1, 3, 127, 127);
        var all = network.ForwardAllStacks(input);
        var last = network.forward(input);

        Assert.Equal(ArchitecturePresets.Tiny.Stacks, all.Count);
        foreach (var (a, b) in all[^1].All.Zip(last.All))
        {
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
        }

        Assert.False(all[0].TopLeftHeat.allclose(all[1].TopLeftHeat));
    }

    [Fact]
    public void Heat_heads_start_with_the_papers_prior_bias()
    {
        using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
        var biases = ModelWeights.Entries(network)
            .Where(e => (e.Key.StartsWith("tl_heats.", StringComparison.Ordinal) || e.Key.StartsWith("br_heats.", StringComparison.Ordinal)) && e.Key.EndsWith(".1.bias", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(2 * ArchitecturePresets.Tiny.Stacks, biases.Count);
        Assert.All(biases, b => Assert.True(b.Value.eq(-2.19f).all().item<bool>()));
    }

    [Fact]
    [Trait(TestCategories.Category, TestCategories.Slow)]
    public void Hourglass104_has_the_papers_size()
    {
        using var network = new CornerNetNetwork(ArchitecturePresets.Hourglass104);
        Assert.Equal(201_035_212, network.ParameterCount());
    }

    [Fact]
    public void Gradients_reach_the_stem_through_both_stacks()
    {
        using var scope = NewDisposeScope();
        using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
        network.train();
        var all = network.ForwardAllStacks(randn(1, 3, 127, 127));
        var loss = all.SelectMany(h => h.All).Select(t => t.square().mean()).Aggregate((a, b) => a + b);
        loss.backward();
        var stemGrad = ModelWeights.Entries(network).Single(e => e.Key == "pre.0.conv.weight").Value.grad;
        Assert.NotNull(stemGrad);
        Assert.True(stemGrad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Invalid_architecture_names_every_problem()
    {
        var broken = ArchitecturePresets.Tiny with { Dims = [64, 64], Classes = [] };
        var error = Assert.Throws<ArgumentException>(() => new CornerNetNetwork(broken));
        Assert.Contains("dims", error.Message);
        Assert.Contains("classes", error.Message);
    }
}
