using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Training.Commands;
using static TorchSharp.torch;

namespace CornerNet.Training.Tests.Commands;

public class ConvertCommandTests
{
    [Fact]
    public void Converting_a_checkpoint_writes_the_same_weights_with_the_architecture_beside_them()
    {
        var folder = TrainingFixtures.NewFolder("convert");
        var source = Path.Combine(folder, "source.pth");
        var architecture = Path.Combine(folder, "micro.json");
        TrainingFixtures.Micro.Save(architecture);
        manual_seed(2);
        using (var network = new CornerNetNetwork(TrainingFixtures.Micro))
        {
            ModelCheckpoint.Save(network, source);
        }

        var converted = Path.Combine(folder, "out", "converted.pth");
        Assert.Equal(0, ConvertCommand.Run(source, architecture, converted, TextWriter.Null));

        using var expected = PyTorchCheckpointReader.Read(source);
        using var actual = PyTorchCheckpointReader.Read(converted);
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.All(expected.Keys, key => Assert.True(expected[key].allclose(actual[key], rtol: 0, atol: 0), key));
        Assert.Equal(TrainingFixtures.Micro.Name, ArchitectureSpec.Load(Path.Combine(folder, "out", "converted.json")).Name);
    }

    /// <summary>The released CornerNet-Squeeze weights are a legacy pickle from a GPU model; the tiny fixture is written
    /// the same way by the authors' classes (tests/fixtures/squeeze).</summary>
    [Fact]
    public void Converting_a_gpu_tagged_legacy_squeeze_checkpoint_keeps_its_weights_and_the_authors_keys()
    {
        var folder = TrainingFixtures.NewFolder("convert-squeeze");
        var source = RepositoryPaths.Fixture("squeeze", "tiny_legacy.pkl");
        var converted = Path.Combine(folder, "squeeze.pth");
        Assert.Equal(0, ConvertCommand.Run(source, RepositoryPaths.Fixture("squeeze", "tiny_arch.json"), converted, TextWriter.Null));

        using var expected = PyTorchCheckpointReader.Read(source);
        using var actual = PyTorchCheckpointReader.Read(converted);
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.All(expected.Keys, key => Assert.True(expected[key].allclose(actual[key], rtol: 0, atol: 0), key));
        Assert.Equal(NetworkFamily.Squeeze, ArchitectureSpec.Load(Path.Combine(folder, "squeeze.json")).Family);
    }

    [Fact]
    public void Converting_into_the_wrong_architecture_fails_without_writing_anything()
    {
        var folder = TrainingFixtures.NewFolder("convert-mismatch");
        var source = Path.Combine(folder, "source.pth");
        using (var network = new CornerNetNetwork(TrainingFixtures.Micro))
        {
            ModelCheckpoint.Save(network, source);
        }

        var converted = Path.Combine(folder, "converted.pth");
        Assert.Equal(1, ConvertCommand.Run(source, "tiny", converted, TextWriter.Null));
        Assert.False(File.Exists(converted));
    }
}
