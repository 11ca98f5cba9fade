using CornerNet.Model.Architecture;

namespace CornerNet.Model.Inference;

/// <summary>
/// A network's whole test procedure, whatever its family: images in, detections per image and where the time went
/// out. <see cref="CornerNetDetector"/> runs CornerNet's and CornerNet-Squeeze's (whole image, optional flip and test
/// scales), <see cref="Saccade.SaccadeDetector"/> CornerNet-Saccade's (views, attention, zoom crops);
/// <see cref="Detectors.Create"/> picks by the network's family. Implementations are thread-safe and release every
/// tensor a call creates before it returns.
/// </summary>
public interface IDetector
{
    ArchitectureSpec Spec { get; }

    /// <summary>The decoder and suppression settings in force.</summary>
    DetectorOptions Options { get; }

    /// <summary>Detections of every image (best first), in input order, with stage timings; an image's detections
    /// do not depend on the other images of the call beyond floating-point differences of batched convolutions.</summary>
    DetectionResult Detect(IReadOnlyList<DecodedImage> images);

    /// <summary>Detections of one image, best first.</summary>
    IReadOnlyList<Detection> Detect(DecodedImage image) => Detect([image]).Images[0];
}
