using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Architecture;

/// <summary>
/// The squeeze family against the authors' CornerNet-Lite classes: a tiny network of the squeeze shape that their own
/// classes built and briefly trained (tests/fixtures/squeeze/README.md), in both checkpoint formats.
/// </summary>
public sealed class SqueezeNetworkTests(ITestOutputHelper output)
{
    private static readonly string[] HeadNames = ["tl_heat", "br_heat", "tl_tag", "br_tag", "tl_off", "br_off"];

    public static TheoryData<string> WeightFiles() => new() { "tiny_zip.pth", "tiny_legacy.pkl" };

    private static ArchitectureSpec Spec() => ArchitectureSpec.Load(RepositoryPaths.Fixture("squeeze", "tiny_arch.json"));

    private static CornerNetNetwork Load(string weights) => ModelCheckpoint.Load(Spec(), RepositoryPaths.Fixture("squeeze", weights));

    private static Tensor Expected(string stack, string head) =>
        NpyFile.ReadFloat32(RepositoryPaths.Fixture("squeeze", "expected", $"{stack}_{head}.npy"));

    private void AssertHeads(CornerHeads heads, string stack)
    {
        foreach (var (ours, name) in heads.All.Zip(HeadNames))
        {
            var theirs = Expected(stack, name);
            Assert.Equal(theirs.shape, ours.shape);
            double worst = (ours - theirs).abs().max().item<float>();
            output.WriteLine($"{stack} {name} [{string.Join(",", ours.shape)}]: max |diff| {worst:G3}");
            Assert.True(worst < 1e-3, $"{stack} {name}: max |diff| {worst}");
        }
    }

    [Fact]
    public void The_family_is_read_from_the_architecture_file_and_defaults_to_hourglass()
    {
        Assert.Equal(NetworkFamily.Squeeze, Spec().Family);
        Assert.Equal(8, Spec().OutputStride);
        Assert.Equal([64, 64], Spec().OutputSize);
        var hourglass = ArchitectureSpec.Load(RepositoryPaths.Fixture("network", "fixture_arch.json"));
        Assert.Equal(NetworkFamily.Hourglass, hourglass.Family);
        Assert.Equal(4, hourglass.OutputStride);
        Assert.Contains("\"family\": \"squeeze\"", Spec().ToJson());
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Spec().ToJson().Replace("\"squeeze\"", "\"lite\""));
            var unknown = Assert.Throws<ArgumentException>(() => ArchitectureSpec.Load(path));
            Assert.Contains("family", unknown.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(WeightFiles))]
    public void Tiny_squeeze_gives_the_authors_heads(string weights)
    {
        using var network = Load(weights);
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = NpyFile.ReadFloat32(RepositoryPaths.Fixture("squeeze", "expected", "input.npy"));
        AssertHeads(network.forward(input), "stack1");
        var stacks = network.ForwardAllStacks(input);
        Assert.Equal(2, stacks.Count);
        AssertHeads(stacks[0], "stack0");
        AssertHeads(stacks[1], "stack1");
    }

    /// <summary>Folded BatchNorm (fire modules fold one BatchNorm into two branches) and channels-last change nothing
    /// beyond float rounding.</summary>
    [Fact]
    public void Tiny_squeeze_prepared_for_inference_still_gives_the_authors_heads()
    {
        const InferencePrecision precision = InferencePrecision.Fp32;
        const double tolerance = 1e-3;
        using var network = Load("tiny_zip.pth");
        network.PrepareForInference(InferenceTuning.Default with { Precision = precision });
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var heads = network.forward(NpyFile.ReadFloat32(RepositoryPaths.Fixture("squeeze", "expected", "input.npy")));
        foreach (var (ours, name) in heads.All.Zip(HeadNames))
        {
            double worst = (ours - Expected("stack1", name)).abs().max().item<float>();
            output.WriteLine($"{precision} {name}: max |diff| {worst:G3}");
            Assert.True(worst < tolerance, $"{precision} {name}: max |diff| {worst}");
        }
    }

    [Fact]
    public void The_legacy_checkpoint_is_gpu_tagged_as_the_released_one_and_loads_on_the_cpu()
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.Fixture("squeeze", "tiny_legacy.pkl"));
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        Assert.Contains("cuda:0", text);
        Assert.Contains("torch.cuda", text);
        using var state = PyTorchCheckpointReader.Read(RepositoryPaths.Fixture("squeeze", "tiny_legacy.pkl"));
        Assert.All(state.Keys, k => Assert.StartsWith("module.", k));
        Assert.Contains(state.Keys, k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        Assert.All(state.Values, t => Assert.Equal(DeviceType.CPU, t.device.type));
    }

    [Fact]
    public void A_saved_squeeze_checkpoint_has_the_authors_keys_and_loads_back()
    {
        using var network = Load("tiny_zip.pth");
        var directory = Directory.CreateTempSubdirectory("squeeze-save");
        try
        {
            var path = Path.Combine(directory.FullName, "tiny.pth");
            ModelCheckpoint.Save(network, path);
            using var saved = PyTorchCheckpointReader.Read(path);
            using var theirs = PyTorchCheckpointReader.Read(RepositoryPaths.Fixture("squeeze", "tiny_zip.pth"));
            Assert.Equal(theirs.Keys, saved.Keys);
            using var back = ModelCheckpoint.Load(path);
            Assert.Equal(NetworkFamily.Squeeze, back.Spec.Family);
            foreach (var ((key, a), (_, b)) in ModelWeights.Entries(network).Zip(ModelWeights.Entries(back)))
            {
                Assert.True(a.allclose(b, rtol: 0, atol: 0), key);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_squeeze_preset_has_the_authors_module_counts()
    {
        using var network = new CornerNetNetwork(ArchitecturePresets.Squeeze);
        var convolutions = network.modules().OfType<Conv2dLayer>().ToList();
        Assert.Equal(225, convolutions.Count);
        Assert.Equal(56, network.modules().OfType<FireModule>().Count());
        Assert.Equal(8, network.modules().OfType<TransposedConv2dLayer>().Count());
        Assert.Equal(145, network.modules().OfType<TorchSharp.Modules.BatchNorm2d>().Count());
        Assert.Equal(31_771_852, network.ParameterCount());
    }
}
