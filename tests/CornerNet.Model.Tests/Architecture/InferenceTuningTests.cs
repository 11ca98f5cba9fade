using CornerNet.Model.Architecture;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Architecture;

public class InferenceTuningTests
{
    public static TheoryData<bool, bool> ExactSettings => new() { { true, false }, { false, true }, { true, true } };

    [Theory]
    [MemberData(nameof(ExactSettings))]
    public void Folding_and_channels_last_give_the_as_trained_heads(bool foldBatchNorm, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var input = randn([2, 3, 127, 255], generator: new Generator(7));
        var expected = Heads(InferenceTuning.AsTrained, input);
        var actual = Heads(new InferenceTuning { FoldBatchNorm = foldBatchNorm, ChannelsLast = channelsLast }, input);

        foreach (var (a, e) in actual.All.Zip(expected.All))
        {
            Assert.Equal(ScalarType.Float32, a.dtype);
            Assert.True(a.is_contiguous());
            double error = (a - e).abs().max().item<float>() / e.abs().max().item<float>();
            Assert.True(error < 1e-5, $"relative error {error}");
        }
    }

    [Fact]
    public void Fused_convolutions_give_the_unfused_heads_in_fp32()
    {
        using var scope = NewDisposeScope();
        var input = randn([2, 3, 127, 255], generator: new Generator(7));
        var expected = Heads(InferenceTuning.Default, input);
        var actual = Heads(InferenceTuning.Default with { FuseConvolutions = true }, input);

        Assert.True(FusedConvolution.IsAvailable, FusedConvolution.UnavailableReason);
        foreach (var (a, e) in actual.All.Zip(expected.All))
        {
            double error = (a - e).abs().max().item<float>() / e.abs().max().item<float>();
            Assert.True(error < 1e-6, $"relative error {error}");
        }
    }

    [Fact]
    public void Fusion_is_recorded_as_off_when_batchnorm_is_not_folded()
    {
        using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
        network.PrepareForInference(new InferenceTuning { FoldBatchNorm = false, FuseConvolutions = true });

        Assert.False(network.Tuning!.FuseConvolutions);
    }

    [Fact]
    public void Bf16_returns_fp32_heads_close_to_fp32()
    {
        using var scope = NewDisposeScope();
        var input = randn([2, 3, 127, 255], generator: new Generator(7));
        var expected = Heads(InferenceTuning.AsTrained, input);
        var actual = Heads(new InferenceTuning { Precision = InferencePrecision.Bf16 }, input);

        foreach (var (a, e) in actual.All.Zip(expected.All))
        {
            Assert.Equal(ScalarType.Float32, a.dtype);
            Assert.Equal(e.shape, a.shape);
            double error = (a - e).abs().max().item<float>() / e.abs().max().item<float>();
            // bfloat16 keeps 8 significant bits: errors of about 1 % of the range, not more, and not zero.
            Assert.InRange(error, 1e-5, 0.05);
        }

    }

    [Fact]
    public void A_prepared_network_cannot_be_trained_or_prepared_again()
    {
        using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
        network.PrepareForInference(InferenceTuning.Default);

        Assert.Equal(InferenceTuning.Default, network.Tuning);
        Assert.False(network.training);
        Assert.All(network.parameters(), p => Assert.False(p.requires_grad));
        Assert.Throws<InvalidOperationException>(() => network.PrepareForInference(InferenceTuning.Default));
        using var input = zeros(1, 3, 127, 127);
        Assert.Throws<InvalidOperationException>(() => network.ForwardAllStacks(input));
    }

    [Fact]
    public void Preparing_for_inference_makes_malloc_keep_freed_memory_on_linux()
    {
        using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
        network.PrepareForInference(InferenceTuning.Default);

        // This machine runs glibc, where mallopt exists and accepts both settings.
        Assert.Equal(OperatingSystem.IsLinux(), HeapReuse.Enabled);
        Assert.Equal(OperatingSystem.IsLinux(), HeapReuse.Enable());
    }

    [Fact]
    public void Channels_last_keeps_values_and_shape_and_changes_strides()
    {
        using var scope = NewDisposeScope();
        var input = randn(2, 5, 3, 4);
        var converted = ChannelsLast.From(input);

        Assert.False(ChannelsLast.Is(input));
        Assert.True(ChannelsLast.Is(converted));
        Assert.Equal(input.shape, converted.shape);
        Assert.Equal(new long[] { 60, 1, 20, 5 }, converted.stride());
        Assert.True(converted.equal(input).all().item<bool>());
        Assert.True(ChannelsLast.Is(ChannelsLast.From(converted)));
    }

    /// <summary>
    /// The tiny network with the same weights every call, drawn from its own generator (tests run in parallel, so the
    /// global one is shared), and non-trivial BatchNorm statistics (fresh BatchNorms are identities, which would hide
    /// a wrong fold), prepared with <paramref name="tuning"/>.
    /// </summary>
    private static CornerHeads Heads(InferenceTuning tuning, Tensor input)
    {
        using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
        using (no_grad())
        {
            var generator = new Generator(5);
            Tensor Uniform(long[] shape, double low, double high) => rand(shape, generator: generator) * (high - low) + low;
            foreach (var parameter in network.parameters())
            {
                double bound = parameter.dim() == 4 ? Math.Sqrt(6.0 / (parameter.shape[1] * parameter.shape[2] * parameter.shape[3])) : 0.5;
                parameter.copy_(Uniform(parameter.shape, -bound, bound));
            }

            foreach (var batchNorm in network.modules().OfType<BatchNorm2d>())
            {
                batchNorm.running_mean!.copy_(Uniform(batchNorm.running_mean.shape, -0.5, 0.5));
                batchNorm.running_var!.copy_(Uniform(batchNorm.running_var.shape, 0.5, 1.5));
                batchNorm.weight!.copy_(Uniform(batchNorm.weight.shape, 0.5, 1.5));
            }
        }

        network.PrepareForInference(tuning);
        using var inference = inference_mode();
        return network.forward(input);
    }
}
