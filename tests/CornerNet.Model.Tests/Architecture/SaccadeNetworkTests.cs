using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Architecture;

/// <summary>
/// The saccade family against the authors' CornerNet-Lite classes: a tiny network of the saccade shape that their own
/// classes built (tests/fixtures/saccade/README.md), in both checkpoint formats: heads and attention maps.
/// </summary>
public sealed class SaccadeNetworkTests(ITestOutputHelper output)
{
    private static readonly string[] HeadNames = ["tl_heat", "br_heat", "tl_tag", "br_tag", "tl_off", "br_off"];

    public static TheoryData<string> WeightFiles() => new() { "tiny_zip.pth", "tiny_legacy.pkl" };

    private static ArchitectureSpec Spec() => ArchitectureSpec.Load(RepositoryPaths.Fixture("saccade", "tiny_arch.json"));

    private static CornerNetNetwork Load(string weights) => ModelCheckpoint.Load(Spec(), RepositoryPaths.Fixture("saccade", weights));

    private static Tensor Expected(string name) => NpyFile.ReadFloat32(RepositoryPaths.Fixture("saccade", "expected", $"{name}.npy"));

    private static Tensor Input() => Expected("input");

    private void AssertClose(Tensor ours, string name, double tolerance = 1e-3)
    {
        var theirs = Expected(name);
        Assert.Equal(theirs.shape, ours.shape);
        double worst = (ours - theirs).abs().max().item<float>();
        output.WriteLine($"{name} [{string.Join(",", ours.shape)}]: max |diff| {worst:G3}");
        Assert.True(worst < tolerance, $"{name}: max |diff| {worst}");
    }

    private void AssertLastStack(CornerHeads heads, IReadOnlyList<Tensor> attention)
    {
        foreach (var (ours, name) in heads.All.Zip(HeadNames)) AssertClose(ours, $"stack1_{name}");
        Assert.Equal(3, attention.Count);
        for (var level = 0; level < attention.Count; level++) AssertClose(attention[level], $"attention{level}");
    }

    [Fact]
    public void The_saccade_family_is_read_from_the_architecture_file()
    {
        var spec = Spec();
        Assert.Equal(NetworkFamily.Saccade, spec.Family);
        Assert.Equal(4, spec.OutputStride);
        Assert.Equal(32, spec.AttDim);
        Assert.Equal(3, spec.AttentionMaps);
        Assert.Equal("module.", spec.CheckpointKeyPrefix);
        Assert.Contains("\"family\": \"saccade\"", spec.ToJson());
        var deeper = Assert.Throws<ArgumentException>(() => (spec with { Depth = 4, Dims = [32, 48, 48, 64, 64], Modules = [1, 1, 1, 1, 1] }).Validate());
        Assert.Contains("depth 3", deeper.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WeightFiles))]
    public void Tiny_saccade_gives_the_authors_heads_and_attention_maps(string weights)
    {
        using var network = Load(weights);
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (heads, attention) = network.ForwardWithAttention(Input());
        AssertLastStack(heads, attention);
        foreach (var (ours, name) in network.forward(Input()).All.Zip(HeadNames)) AssertClose(ours, $"stack1_{name}");
        var stacks = network.ForwardAllStacks(Input());
        Assert.Equal(2, stacks.Count);
        foreach (var (ours, name) in stacks[0].All.Zip(HeadNames)) AssertClose(ours, $"stack0_{name}");

        // The training forward (their saccade_net._train): every stack's heads and attention logits.
        var (allHeads, allAttention) = network.ForwardAllStacksWithAttention(Input());
        Assert.Equal(2, allHeads.Count);
        Assert.Equal(2, allAttention.Count);
        foreach (var (ours, name) in allHeads[0].All.Zip(HeadNames)) AssertClose(ours, $"stack0_{name}");
        foreach (var (ours, name) in allHeads[1].All.Zip(HeadNames)) AssertClose(ours, $"stack1_{name}");
        for (var level = 0; level < 3; level++) AssertClose(allAttention[1][level].sigmoid(), $"attention{level}");
        Assert.Equal(allAttention[1].Select(a => a.shape), allAttention[0].Select(a => a.shape));
    }

    /// <summary>Folded BatchNorm, channels-last and bf16 keep the attention maps theirs (bf16 within its rounding).</summary>
    [Theory]
    [InlineData(InferencePrecision.Fp32, 1e-3)]
    [InlineData(InferencePrecision.Bf16, 0.1)]
    public void Tiny_saccade_prepared_for_inference_still_gives_the_authors_attention_maps(InferencePrecision precision, double tolerance)
    {
        using var network = Load("tiny_zip.pth");
        network.PrepareForInference(InferenceTuning.Default with { Precision = precision });
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var (heads, attention) = network.ForwardWithAttention(Input());
        Assert.All(attention, map => Assert.Equal(ScalarType.Float32, map.dtype));
        for (var level = 0; level < attention.Count; level++) AssertClose(attention[level], $"attention{level}", tolerance);
        if (precision == InferencePrecision.Fp32)
        {
            foreach (var (ours, name) in heads.All.Zip(HeadNames)) AssertClose(ours, $"stack1_{name}");
        }
    }

    /// <summary>Widths that libtorch 2.10's CPU 3x3 convolutions get wrong unpadded (above 16 input channels and not a
    /// multiple of 16; see ConvolutionSelfCheck) everywhere in a saccade network, the attention heads' included: the
    /// heads and attention maps still agree with the same network in float64.</summary>
    [Fact]
    public void Widths_that_are_not_multiples_of_16_agree_with_float64_attention_heads_included()
    {
        var spec = (Spec() with { Stacks = 1, Dims = [24, 40, 40, 56], CnvDim = 24, StemDim = 20, PoolDim = 24, AttDim = 40 }).Validate();
        using var network = new CornerNetNetwork(spec);
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = randn([1, 3, 63, 63], generator: new Generator(5));
        var (heads, attention) = network.ForwardWithAttention(input);
        network.to(ScalarType.Float64);
        var (exactHeads, exactAttention) = network.ForwardWithAttention(input.to_type(ScalarType.Float64));
        var names = HeadNames.Concat(attention.Select((_, level) => $"attention{level}"));
        foreach (var ((ours, exact), name) in heads.All.Concat(attention).Zip(exactHeads.All.Concat(exactAttention)).Zip(names))
        {
            var exact64 = exact.to_type(ScalarType.Float64);
            var relativeError = ((ours.to_type(ScalarType.Float64) - exact64).abs().max() / exact64.abs().max()).item<double>();
            output.WriteLine($"{name}: relative error {relativeError:G3}");
            Assert.True(relativeError < 1e-4, $"{name}: relative error {relativeError}");
        }
    }

    [Fact]
    public void A_saved_saccade_checkpoint_has_the_authors_keys_and_loads_back()
    {
        using var network = Load("tiny_legacy.pkl");
        var directory = Directory.CreateTempSubdirectory("saccade-save");
        try
        {
            var path = Path.Combine(directory.FullName, "tiny.pth");
            ModelCheckpoint.Save(network, path);
            using var saved = PyTorchCheckpointReader.Read(path);
            using var theirs = PyTorchCheckpointReader.Read(RepositoryPaths.Fixture("saccade", "tiny_zip.pth"));
            Assert.Equal(theirs.Keys, saved.Keys);
            Assert.Equal(552, saved.Count);
            using var back = ModelCheckpoint.Load(path);
            Assert.Equal(NetworkFamily.Saccade, back.Spec.Family);
            Assert.Equal(32, back.Spec.AttDim);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Only_a_saccade_network_has_attention_heads()
    {
        using var hourglass = new CornerNetNetwork(ArchitectureSpec.Load(RepositoryPaths.Fixture("network", "fixture_arch.json")));
        using var input = zeros(1, 3, 63, 63);
        Assert.Throws<InvalidOperationException>(() => hourglass.ForwardWithAttention(input));
        Assert.Throws<InvalidOperationException>(() => hourglass.ForwardAllStacksWithAttention(input));
        Assert.DoesNotContain(ModelWeights.Entries(hourglass), e => e.Key.StartsWith("att_modules", StringComparison.Ordinal));
    }

    [Fact]
    public void The_saccade_preset_has_the_authors_module_counts()
    {
        using var network = new CornerNetNetwork(ArchitecturePresets.Saccade);
        Assert.Equal(174, network.modules().OfType<Conv2dLayer>().Count());
        Assert.Equal(120, network.modules().OfType<TorchSharp.Modules.BatchNorm2d>().Count());
        Assert.Equal(116_969_339, network.ParameterCount());
    }
}
