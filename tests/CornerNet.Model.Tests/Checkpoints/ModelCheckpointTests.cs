using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Checkpoints;

public class ModelCheckpointTests
{
    [Fact]
    public void Save_then_load_gives_identical_outputs_and_the_architecture_beside_the_weights()
    {
        var folder = Directory.CreateTempSubdirectory("cornernet-checkpoint-");
        try
        {
            using var scope = NewDisposeScope();
            using var original = new CornerNetNetwork(ArchitecturePresets.Tiny);
            original.eval();
            var weights = Path.Combine(folder.FullName, "model.pth");
            ModelCheckpoint.Save(original, weights);
            Assert.True(File.Exists(Path.Combine(folder.FullName, "model.json")));

            using var loaded = ModelCheckpoint.Load(weights);
            loaded.eval();
            Assert.Equal(ArchitecturePresets.Tiny.ToJson(), loaded.Spec.ToJson());
            using var noGrad = no_grad();
            var input = randn(1, 3, 127, 127);
            foreach (var (a, b) in original.forward(input).All.Zip(loaded.forward(input).All))
            {
                Assert.True(a.eq(b).all().item<bool>());
            }

            Assert.Empty(Directory.GetFiles(folder.FullName, "*.tmp"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_checkpoint_with_a_nan_or_an_infinity_is_refused_naming_the_tensor()
    {
        var folder = Directory.CreateTempSubdirectory("cornernet-checkpoint-");
        try
        {
            using var scope = NewDisposeScope();
            using var network = new CornerNetNetwork(ArchitecturePresets.Tiny);
            var (key, parameter) = ModelWeights.Entries(network).First(e => e.Key.EndsWith(".weight", StringComparison.Ordinal));
            using (no_grad())
            {
                parameter.view(-1)[0] = float.NaN;
            }

            var weights = Path.Combine(folder.FullName, "model.pth");
            ModelCheckpoint.Save(network, weights);

            var error = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load(weights));
            Assert.Contains("non-finite", error.Message, StringComparison.Ordinal);
            Assert.Contains(key, error.Message, StringComparison.Ordinal);

            using (no_grad())
            {
                parameter.view(-1)[0] = float.PositiveInfinity;
            }

            ModelCheckpoint.Save(network, weights);
            Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load(weights));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
