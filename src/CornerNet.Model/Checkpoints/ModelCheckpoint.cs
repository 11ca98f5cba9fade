using CornerNet.Model.Architecture;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// A network's weights in PyTorch's zip format (so PyTorch can read them back) with its architecture file beside
/// them: <c>NAME.pth</c> and <c>NAME.json</c>.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>The architecture file that travels with <paramref name="weightsPath"/>.</summary>
    public static string ArchitecturePathFor(string weightsPath) => Path.ChangeExtension(weightsPath, ".json");

    /// <summary>Writes the weights (parameters and buffers, in state-dict order) and the architecture file.</summary>
    public static void Save(CornerNetNetwork network, string weightsPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(weightsPath))!;
        Directory.CreateDirectory(directory);
        using (no_grad())
        {
            var entries = ModelWeights.CheckpointEntries(network)
                .Select(e => new KeyValuePair<string, Tensor>(e.Key, e.Value.detach().cpu()));
            PyTorchCheckpointWriter.Write(weightsPath, entries);
        }

        // Written after the weights and atomically, so a reader never sees an architecture without its weights.
        var architecturePath = ArchitecturePathFor(weightsPath);
        var temporary = architecturePath + ".tmp";
        network.Spec.Save(temporary);
        File.Move(temporary, architecturePath, overwrite: true);
    }

    /// <summary>Builds the network its architecture file describes and loads the weights into it (strictly).</summary>
    public static CornerNetNetwork Load(string weightsPath, string? architecturePath = null, Device? device = null) =>
        Load(ArchitectureSpec.Load(architecturePath ?? ArchitecturePathFor(weightsPath)), weightsPath, device);

    /// <summary>Builds the network <paramref name="spec"/> describes and loads the weights into it (strictly).</summary>
    public static CornerNetNetwork Load(ArchitectureSpec spec, string weightsPath, Device? device = null)
    {
        var network = new CornerNetNetwork(spec);
        try
        {
            using (var stateDict = PyTorchCheckpointReader.Read(weightsPath, maxTensorBytes: ModelWeights.CheckpointBytesLimit(network)))
            {
                ModelWeights.Load(network, stateDict);
            }

            if (device is not null) network.to(device);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
