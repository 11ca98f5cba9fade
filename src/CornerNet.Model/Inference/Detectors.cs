using CornerNet.Model.Architecture;
using CornerNet.Model.Inference.Saccade;
using static TorchSharp.torch;

namespace CornerNet.Model.Inference;

/// <summary>The one place that knows which test procedure each network family runs.</summary>
public static class Detectors
{
    /// <param name="network">The loaded network; its spec's family decides the procedure.</param>
    /// <param name="options">Decoder and suppression settings; by default the family's authors' values.</param>
    /// <param name="saccade">Zoom settings of the saccade family (ignored by the others); by default the authors'.</param>
    /// <param name="device">Where inputs go; by default the device of the network's first parameter.</param>
    public static IDetector Create(CornerNetNetwork network, DetectorOptions? options = null, SaccadeOptions? saccade = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Spec.Family switch
        {
            NetworkFamily.Saccade => new SaccadeDetector(network, options, saccade, device),
            _ => new CornerNetDetector(network, network.Spec, options, device),
        };
    }
}
