using CornerNet.Model.Inference;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;

namespace CornerNet.Training.OfflineDetection;

/// <summary>
/// <c>detect --annotated DIR</c>: a copy of each image with its boxes drawn (<see cref="BoxPainter"/>, as the service's
/// <c>/detect/annotated</c>), at the image's relative name under DIR. JPEG and PNG images keep their name and format
/// (JPEG at quality 90); others get <c>.png</c> added. Written before the image's batch is journaled, each through a
/// temporary file renamed over it, so an image run again after a kill overwrites a whole file with a whole file.
/// </summary>
public sealed class AnnotatedImageFiles
{
    private static readonly JpegEncoder Jpeg = new() { Quality = 90 };
    private static readonly PngEncoder Png = new();

    private readonly string _folder;
    private readonly bool _bgr;
    private readonly float _scoreThreshold;

    /// <param name="folder">Where the annotated images go (created when missing).</param>
    /// <param name="bgr">Whether decoded images hold BGR (the network's order) rather than RGB.</param>
    /// <param name="scoreThreshold">Boxes scoring below this are not drawn (the results files keep them).</param>
    public AnnotatedImageFiles(string folder, bool bgr, float scoreThreshold)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _folder = Path.GetFullPath(folder);
        _bgr = bgr;
        _scoreThreshold = scoreThreshold;
    }

    /// <summary>
    /// Where the annotated copy of the image named <paramref name="name"/> goes: its relative name under
    /// <paramref name="folder"/>, with any <c>..</c> written <c>__</c> and a leading <c>/</c> dropped, so nothing is
    /// written outside the folder.
    /// </summary>
    public static string PathFor(string folder, string name)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(name);
        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(segment => segment != ".")
            .Select(segment => segment == ".." ? "__" : segment)
            .ToList();
        if (segments.Count == 0) segments.Add("_");
        var extension = Path.GetExtension(segments[^1]).ToLowerInvariant();
        if (extension is not (".jpg" or ".jpeg" or ".png")) segments[^1] += ".png";
        return Path.Combine([Path.GetFullPath(folder), .. segments]);
    }

    /// <summary>Refuses a set of images whose annotated copies would overwrite one of the images.</summary>
    /// <exception cref="ArgumentException">An annotated copy's path is an input image's path.</exception>
    public static void CheckNoOverwrite(string folder, IReadOnlyList<ImageItem> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var inputs = new HashSet<string>(images.Select(i => Path.GetFullPath(i.Path)), StringComparer.Ordinal);
        foreach (var image in images)
        {
            if (inputs.Contains(PathFor(folder, image.Name)))
            {
                throw new ArgumentException($"--annotated {folder} would overwrite the image '{image.Name}'; choose a folder of its own.");
            }
        }
    }

    /// <summary>Draws the boxes of <paramref name="detections"/> scoring at least the threshold onto <paramref name="image"/> and writes it.</summary>
    public void Write(ImageItem item, DecodedImage image, IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(detections);
        var path = PathFor(_folder, item.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var annotated = BoxPainter.Paint(image, _bgr, [.. detections.Where(d => d.Score >= _scoreThreshold)]);
        IImageEncoder encoder = string.Equals(Path.GetExtension(path), ".png", StringComparison.OrdinalIgnoreCase) ? Png : Jpeg;
        DetectionResultFiles.WriteAtomically(path, stream => annotated.Save(stream, encoder));
    }
}
