using CornerNet.Model.Architecture;
using CornerNet.Model.Data;
using CornerNet.Model.Inference;

namespace CornerNet.Training.OfflineDetection;

/// <summary>
/// Runs the detector over batches of image files: reads and decodes each file (one that cannot be read or decoded is
/// reported as skipped with the reason, never stopping the run), forwards the rest together and turns the
/// detections into COCO boxes with the category ids of <see cref="CategoryMap"/>. <c>detect</c> and <c>evaluate</c>
/// both run it. With <see cref="AnnotatedImageFiles"/>, each detected image is also written with its boxes drawn.
/// </summary>
public sealed class DetectionLoop
{
    private readonly IDetector _detector;
    private readonly CategoryMap _categories;
    private readonly ImageLoader _loader;
    private readonly AnnotatedImageFiles? _annotated;

    /// <param name="detector">The family's test procedure (<see cref="Detectors.Create"/>): CornerNet's forward pass per
    /// image, or CornerNet-Saccade's views, attention and zoom crops.</param>
    public DetectionLoop(IDetector detector, CategoryMap categories, ImageLoader? loader = null, AnnotatedImageFiles? annotated = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        _detector = detector;
        _categories = categories;
        _loader = loader ?? new ImageLoader();
        _annotated = annotated;
    }

    /// <summary>The loop of a network's family (<see cref="Detectors.Create"/>).</summary>
    public static DetectionLoop For(CornerNetNetwork network, DetectorOptions options, CategoryMap categories, AnnotatedImageFiles? annotated = null) =>
        new(Detectors.Create(network, options), categories, annotated: annotated);

    /// <summary>Batches of <paramref name="batchSize"/> images, numbered from 0 in order; the same list gives the same batches.</summary>
    public static IReadOnlyList<(int Batch, ImageItem[] Images)> Batches(IReadOnlyList<ImageItem> images, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return [.. images.Chunk(batchSize).Select((chunk, number) => (number, chunk))];
    }

    public BatchOutcome Run(int batch, IReadOnlyList<ImageItem> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var outcomes = new ImageOutcome[images.Count];
        var decoded = new List<(int Slot, DecodedImage Image)>(images.Count);
        for (int i = 0; i < images.Count; i++)
        {
            try
            {
                decoded.Add((i, _loader.Load(File.ReadAllBytes(images[i].Path), _detector.Spec.IsBgr)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidImageException)
            {
                outcomes[i] = ImageOutcome.Failed(images[i], e.Message);
            }
        }

        if (decoded.Count > 0)
        {
            IReadOnlyList<IReadOnlyList<Detection>> detections;
            try
            {
                detections = _detector.Detect([.. decoded.Select(d => d.Image)]).Images;
            }
            catch (Exception e) when (decoded.Count > 1 && e is not OutOfMemoryException)
            {
                // One image the network cannot take must not cost its batch-mates: run them one by one.
                foreach (var (slot, image) in decoded) outcomes[slot] = RunOne(images[slot], image);
                return new BatchOutcome(batch, outcomes);
            }

            for (int d = 0; d < decoded.Count; d++)
            {
                var (slot, image) = decoded[d];
                _annotated?.Write(images[slot], image, detections[d]);
                outcomes[slot] = Outcome(images[slot], detections[d]);
            }
        }

        return new BatchOutcome(batch, outcomes);
    }

    private ImageOutcome RunOne(ImageItem item, DecodedImage image)
    {
        IReadOnlyList<Detection> detections;
        try
        {
            detections = _detector.Detect(image);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return ImageOutcome.Failed(item, $"detection failed: {e.Message}");
        }

        _annotated?.Write(item, image, detections);
        return Outcome(item, detections);
    }

    private ImageOutcome Outcome(ImageItem item, IReadOnlyList<Detection> detections) =>
        new(item.Index, item.ImageId, item.Name, [.. detections.Select(d => new DetectedObject(
            _categories[d.ClassIndex],
            d.Label,
            new CocoBox(Math.Round(d.X1, 2), Math.Round(d.Y1, 2), Math.Round(d.X2 - d.X1, 2), Math.Round(d.Y2 - d.Y1, 2)),
            Math.Round(d.Score, 4)))], null);
}
