using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Service.Configuration;
using TorchSharp;

namespace CornerNet.LoadGenerator;

/// <summary>
/// Random weights of the architecture the run would serve (Model:Architecture: a preset name or a file), written as a
/// checkpoint with its architecture file beside it in a temporary folder, so that any model family can be load-tested
/// without trained weights (timings do not depend on the values; detections mean nothing). The folder is deleted on
/// dispose.
/// </summary>
/// <param name="Overrides">The run's overrides with Model:Weights and Model:Architecture pointing at the written files.</param>
public sealed record RandomWeights(ArchitectureSpec Spec, string WeightsPath, IReadOnlyDictionary<string, string> Overrides) : IDisposable
{
    /// <summary>Writes the weights of the architecture <paramref name="settings"/> name (seed 1).</summary>
    public static RandomWeights Write(LoadSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var architecture = ServiceSettings.For(settings.ContentRoot, settings.Overrides, settings.Threads, maxBatchSize: null).Model.Architecture;
        var spec = ArchitecturePresets.TryGet(architecture, out var preset)
            ? preset
            : ArchitectureSpec.Load(Path.GetFullPath(architecture, settings.ContentRoot));
        var folder = Directory.CreateTempSubdirectory("cornernet-loadgen-").FullName;
        try
        {
            var weightsPath = Path.Combine(folder, $"random-{spec.Name}.pth");
            torch.random.manual_seed(1);
            using (var network = new CornerNetNetwork(spec))
            {
                ModelCheckpoint.Save(network, weightsPath);
            }

            var overrides = new Dictionary<string, string>(settings.Overrides, StringComparer.OrdinalIgnoreCase)
            {
                [ServiceSettings.Key(ModelOptions.Section, nameof(ModelOptions.Weights))] = weightsPath,
                [ServiceSettings.Key(ModelOptions.Section, nameof(ModelOptions.Architecture))] = ModelCheckpoint.ArchitecturePathFor(weightsPath),
            };
            return new RandomWeights(spec, weightsPath, overrides);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(WeightsPath)!, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or still open elsewhere: it is in the temporary folder.
        }
    }
}
