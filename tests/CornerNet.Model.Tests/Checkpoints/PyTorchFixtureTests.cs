using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Checkpoints;

/// <summary>
/// Weights written by real PyTorch 1.13 (tests/fixtures/network/make_network_fixtures.py), in both checkpoint
/// formats, load into our network and reproduce PyTorch's head outputs.
/// </summary>
public class PyTorchFixtureTests
{
    private static readonly string[] HeadNames = ["tl_heat", "br_heat", "tl_tag", "br_tag", "tl_regr", "br_regr"];

    private static string Network(params string[] parts) => RepositoryPaths.Fixture(["network", .. parts]);

    [Theory]
    [InlineData("fixture_zip.pth")]
    [InlineData("fixture_legacy.pkl")]
    [InlineData("fixture_legacy_module_prefix.pkl")]
    public void Fixture_weights_reproduce_pytorch_outputs_for_every_stack(string weightsFile)
    {
        using var scope = NewDisposeScope();
        using var network = LoadFixtureNetwork(weightsFile);
        using var noGrad = no_grad();
        var input = NpyFile.ReadFloat32(Network("expected", "input.npy"));

        var all = network.ForwardAllStacks(input);
        Assert.Equal(2, all.Count);
        AssertHeadsMatch(all[0], "stack0");
        AssertHeadsMatch(all[1], "stack1");

        var last = network.forward(input);
        AssertHeadsMatch(last, "stack1");
    }

    [Theory]
    [InlineData("top", PoolDirection.Top)]
    [InlineData("left", PoolDirection.Left)]
    [InlineData("bottom", PoolDirection.Bottom)]
    [InlineData("right", PoolDirection.Right)]
    public void Pools_match_the_reference(string name, PoolDirection direction)
    {
        using var scope = NewDisposeScope();
        var input = NpyFile.ReadFloat32(Network("expected", "pool_input.npy"));
        var expected = NpyFile.ReadFloat32(Network("expected", $"pool_{name}.npy"));
        Assert.True(DirectionalPool.Apply(input, direction).eq(expected).all().item<bool>());
    }

    [Fact]
    public void A_checkpoint_for_another_architecture_lists_every_problem()
    {
        using var scope = NewDisposeScope();
        using var stateDict = PyTorchCheckpointReader.Read(Network("fixture_zip.pth"));
        var spec = ArchitectureSpec.Load(Network("fixture_arch.json")) with { Classes = ["one", "two"], Stacks = 1 };
        using var network = new CornerNetNetwork(spec);

        var error = Assert.Throws<CheckpointMismatchException>(() => ModelWeights.Load(network, stateDict));
        Assert.Contains("tl_heats.0.1.weight: checkpoint 3x16x1x1, model 2x16x1x1", error.Message);
        Assert.Contains("kps.1.up1.0.conv1.weight", error.Unexpected);
        Assert.Empty(error.Missing);
    }

    [Fact]
    public void Missing_keys_are_named_but_batch_counters_are_optional()
    {
        using var scope = NewDisposeScope();
        using var stateDict = PyTorchCheckpointReader.Read(Network("fixture_zip.pth"));
        Assert.DoesNotContain(stateDict.Keys, k => k.EndsWith("num_batches_tracked", StringComparison.Ordinal));
        var partial = stateDict.Where(kv => kv.Key != "pre.0.conv.weight" && kv.Key != "br_regrs.1.1.bias")
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        using var network = new CornerNetNetwork(ArchitectureSpec.Load(Network("fixture_arch.json")));

        var error = Assert.Throws<CheckpointMismatchException>(() => ModelWeights.Load(network, partial));
        Assert.Equal(["pre.0.conv.weight", "br_regrs.1.1.bias"], error.Missing);
        Assert.Empty(error.Unexpected);
        ModelWeights.Load(network, partial, strict: false);
    }

    private static CornerNetNetwork LoadFixtureNetwork(string weightsFile)
    {
        var network = new CornerNetNetwork(ArchitectureSpec.Load(Network("fixture_arch.json")));
        using var stateDict = PyTorchCheckpointReader.Read(Network(weightsFile));
        ModelWeights.Load(network, stateDict);
        network.eval();
        return network;
    }

    private static void AssertHeadsMatch(CornerHeads heads, string stack)
    {
        foreach (var (actual, name) in heads.All.Zip(HeadNames))
        {
            var expected = NpyFile.ReadFloat32(Network("expected", $"{stack}_{name}.npy"));
            Assert.Equal(expected.shape, actual.shape);
            var relativeError = ((actual - expected).abs().max() / expected.abs().max()).item<float>();
            Assert.True(relativeError < 1e-4, $"{stack} {name}: relative error {relativeError}");
        }
    }
}
