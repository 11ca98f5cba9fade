using CornerNet.Model.Data;

namespace CornerNet.Training.OfflineDetection;

/// <summary>
/// The images <c>--images</c> names: every image file under a folder (recursively, by extension), the files a glob
/// matches, or the paths of a list file (one a line, relative to the list's folder; blank lines and lines starting
/// with # are ignored). Folder and glob results are sorted by name (ordinal), a list keeps its order, so the order
/// and the image ids are the same on every run and every machine.
/// </summary>
public static class ImageCollection
{
    /// <summary>Extensions a folder's images are recognised by (any case).</summary>
    public static IReadOnlySet<string> ImageExtensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif",
    };

    /// <summary>
    /// Resolves <paramref name="images"/>; image ids come from <paramref name="annotations"/> (by file name) when given,
    /// else they are the 1-based position in the collection.
    /// </summary>
    /// <exception cref="ArgumentException">Nothing found, a duplicate in a list, or a name the annotations lack.</exception>
    public static IReadOnlyList<ImageItem> Resolve(string images, CocoDataset? annotations = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(images);
        List<(string Name, string Path)> found;
        if (Directory.Exists(images)) found = FromFolder(images);
        else if (File.Exists(images)) found = FromList(images);
        else if (FileGlob.IsPattern(images)) found = FromGlob(images);
        else throw new ArgumentException($"--images '{images}' is not a folder, a list file or a glob pattern.");

        if (found.Count == 0) throw new ArgumentException($"--images '{images}' names no image files.");
        Dictionary<string, long>? ids = null;
        if (annotations is not null)
        {
            ids = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var image in annotations.Images) ids.TryAdd(image.FileName.Replace('\\', '/'), image.Id);
        }

        var items = new ImageItem[found.Count];
        for (int i = 0; i < found.Count; i++)
        {
            var (name, path) = found[i];
            long id = i + 1;
            if (ids is not null && !ids.TryGetValue(name, out id))
            {
                throw new ArgumentException($"'{name}' is not among the images of the annotations file, which give the image ids.");
            }

            items[i] = new ImageItem(i, id, name, path);
        }

        return items;
    }

    private static List<(string Name, string Path)> FromFolder(string folder)
    {
        var root = Path.GetFullPath(folder);
        return Sorted(Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(path => ImageExtensions.Contains(Path.GetExtension(path)))
            .Select(path => (Relative(root, path), path)));
    }

    private static List<(string Name, string Path)> FromGlob(string pattern)
    {
        var (root, paths) = FileGlob.Expand(pattern);
        return Sorted(paths.Select(path => (Relative(root, path), path)));
    }

    private static List<(string Name, string Path)> FromList(string listFile)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(listFile))!;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<(string, string)>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(listFile))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var path = Path.GetFullPath(Path.Combine(folder, line));
            if (!seen.Add(path)) throw new ArgumentException($"{listFile}:{lineNumber}: '{line}' is listed twice.");
            items.Add((line.Replace('\\', '/'), path));
        }

        return items;
    }

    private static List<(string Name, string Path)> Sorted(IEnumerable<(string Name, string Path)> files) =>
        [.. files.OrderBy(f => f.Name, StringComparer.Ordinal)];

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
