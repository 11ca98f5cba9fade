using CornerNet.Model.Data;
using CornerNet.Model.Inference;
using CornerNet.Model.Training;

namespace CornerNet.Training.Trainer;

/// <summary>
/// The images and boxes of a COCO-format training set. Crowd annotations are skipped (the authors train without
/// them); every image file is checked up front so a missing file fails before the first iteration, not hours in.
/// </summary>
public sealed class TrainingDataSet
{
    private readonly ImageLoader _loader = new();
    private readonly DecodedImage?[]? _cache;

    private TrainingDataSet(IReadOnlyList<TrainingImage> images, IReadOnlyList<string> classNames, bool cacheDecodedImages)
    {
        Images = images;
        ClassNames = classNames;
        _cache = cacheDecodedImages ? new DecodedImage?[images.Count] : null;
    }

    public IReadOnlyList<TrainingImage> Images { get; }

    /// <summary>Category names in class-index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public int Count => Images.Count;

    /// <summary>
    /// Loads annotations (malformed entries throw <see cref="CocoFormatException"/> naming the entry) and checks that
    /// every image exists. <paramref name="imagesDirectory"/> defaults to the annotations file's folder.
    /// </summary>
    public static TrainingDataSet Load(string annotationsPath, string? imagesDirectory, bool cacheDecodedImages = false)
    {
        if (!File.Exists(annotationsPath)) throw new TrainingDataException($"{annotationsPath}: annotations file not found.");
        var dataset = CocoDataset.Load(annotationsPath);
        var root = imagesDirectory ?? Path.GetDirectoryName(Path.GetFullPath(annotationsPath))!;
        if (dataset.Images.Count == 0) throw new TrainingDataException($"{annotationsPath}: the image list is empty.");

        var images = new List<TrainingImage>(dataset.Images.Count);
        foreach (var image in dataset.Images)
        {
            var path = Path.Combine(root, image.FileName);
            if (!File.Exists(path))
            {
                throw new TrainingDataException($"{annotationsPath}: image id {image.Id}: file '{path}' not found.");
            }

            var boxes = dataset.AnnotationsOf(image.Id)
                .Where(a => !a.IsCrowd)
                .Select(a => new TrainingBox((float)a.Box.X, (float)a.Box.Y, (float)a.Box.Right, (float)a.Box.Bottom, dataset.CategoryIndex(a.CategoryId)))
                .ToList();
            images.Add(new TrainingImage(image.Id, path, image.Width, image.Height, boxes));
        }

        return new TrainingDataSet(images, dataset.Categories.Select(c => c.Name).ToList(), cacheDecodedImages);
    }

    /// <summary>Decoded BGR pixels of image <paramref name="index"/>; not thread-safe (one loader thread calls it).</summary>
    public DecodedImage Decode(int index)
    {
        if (_cache?[index] is { } cached) return cached;
        var image = Images[index];
        DecodedImage decoded;
        try
        {
            decoded = _loader.Load(File.ReadAllBytes(image.FilePath), bgr: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidImageException)
        {
            throw new TrainingDataException($"image id {image.ImageId}: cannot read '{image.FilePath}': {e.Message}", e);
        }

        if (_cache is not null) _cache[index] = decoded;
        return decoded;
    }
}
