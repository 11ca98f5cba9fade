using System.Text.Json;

namespace CornerNet.Model.Data;

/// <summary>
/// A COCO-format data set: images, ground-truth boxes and categories. Categories are kept in ascending id
/// order, and that order is the contiguous class index 0..C-1 the network uses.
/// </summary>
public sealed class CocoDataset
{
    private const string InMemorySource = "(in-memory data set)";

    private readonly Dictionary<long, int> _categoryIndexById;
    private readonly Dictionary<long, CocoImage> _imagesById;
    private readonly Dictionary<long, List<CocoAnnotation>> _annotationsByImage;

    /// <summary>Builds a data set from objects; duplicate ids or references to unknown images or categories throw <see cref="CocoFormatException"/>.</summary>
    public CocoDataset(IEnumerable<CocoImage> images, IEnumerable<CocoAnnotation> annotations, IEnumerable<CocoCategory> categories)
        : this(
            Label(images, "images"),
            Label(annotations, "annotations"),
            Label(categories, "categories"),
            new CocoIssueCollector(InMemorySource, CocoMalformedEntryPolicy.Stop))
    {
    }

    private CocoDataset(
        List<(string Entry, CocoImage Value)> images,
        List<(string Entry, CocoAnnotation Value)> annotations,
        List<(string Entry, CocoCategory Value)> categories,
        CocoIssueCollector issues)
    {
        var categoriesById = new Dictionary<long, CocoCategory>();
        foreach (var (entry, category) in categories)
        {
            if (!categoriesById.TryAdd(category.Id, category))
            {
                issues.Report(entry, $"category id {category.Id} is used twice");
            }
        }

        Categories = [.. categoriesById.Values.OrderBy(c => c.Id)];
        _categoryIndexById = Categories.Select((c, index) => (c.Id, index)).ToDictionary(p => p.Id, p => p.index);

        _imagesById = [];
        var keptImages = new List<CocoImage>(images.Count);
        foreach (var (entry, image) in images)
        {
            if (image.Width <= 0 || image.Height <= 0)
            {
                issues.Report(entry, $"image size {image.Width}x{image.Height} is not positive");
            }
            else if (!_imagesById.TryAdd(image.Id, image))
            {
                issues.Report(entry, $"image id {image.Id} is used twice");
            }
            else
            {
                keptImages.Add(image);
            }
        }

        Images = keptImages;

        var annotationIds = new HashSet<long>();
        var keptAnnotations = new List<CocoAnnotation>(annotations.Count);
        foreach (var (entry, annotation) in annotations)
        {
            string? problem = Check(annotation, annotationIds);
            if (problem is null)
            {
                keptAnnotations.Add(annotation);
            }
            else
            {
                issues.Report(entry, problem);
            }
        }

        Annotations = keptAnnotations;
        _annotationsByImage = keptAnnotations.GroupBy(a => a.ImageId).ToDictionary(g => g.Key, g => g.ToList());
        SkippedEntries = issues.Issues;
    }

    /// <summary>Images in file order.</summary>
    public IReadOnlyList<CocoImage> Images { get; }

    /// <summary>Annotations in file order (evaluation depends on it for equal-IoU ties).</summary>
    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>Categories in ascending id order; the position is the class index.</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    /// <summary>Entries left out under <see cref="CocoMalformedEntryPolicy.SkipAndCount"/>; empty otherwise.</summary>
    public IReadOnlyList<CocoLoadIssue> SkippedEntries { get; }

    public int CategoryCount => Categories.Count;

    /// <summary>The contiguous class index 0..C-1 of a category id.</summary>
    public int CategoryIndex(long categoryId) =>
        _categoryIndexById.TryGetValue(categoryId, out int index)
            ? index
            : throw new KeyNotFoundException($"Category id {categoryId} is not in the data set.");

    public bool TryGetCategoryIndex(long categoryId, out int index) => _categoryIndexById.TryGetValue(categoryId, out index);

    /// <summary>The category id of a contiguous class index.</summary>
    public long CategoryId(int categoryIndex) => Categories[categoryIndex].Id;

    public bool ContainsImage(long imageId) => _imagesById.ContainsKey(imageId);

    public CocoImage Image(long imageId) =>
        _imagesById.TryGetValue(imageId, out var image)
            ? image
            : throw new KeyNotFoundException($"Image id {imageId} is not in the data set.");

    /// <summary>The annotations of one image, in file order; empty when it has none.</summary>
    public IReadOnlyList<CocoAnnotation> AnnotationsOf(long imageId) =>
        _annotationsByImage.TryGetValue(imageId, out var list) ? list : [];

    public static CocoDataset Load(string path, CocoLoadOptions? options = null) =>
        Parse(CocoJson.ReadFile(path), path, options);

    /// <summary>Reads COCO annotations JSON; <paramref name="sourceName"/> names the source in error messages.</summary>
    public static CocoDataset Parse(string json, string sourceName, CocoLoadOptions? options = null)
    {
        options ??= CocoLoadOptions.Default;
        using var document = CocoJson.Parse(json, sourceName);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CocoFormatException(sourceName, null, "is not a JSON object with images, annotations and categories");
        }

        var issues = new CocoIssueCollector(sourceName, options.MalformedEntries);
        var images = issues.ReadEach(CocoJson.RequireTopLevelArray(root, "images", sourceName), "images", ReadImage);
        var annotations = issues.ReadEach(CocoJson.RequireTopLevelArray(root, "annotations", sourceName), "annotations", ReadAnnotation);
        var categories = issues.ReadEach(CocoJson.RequireTopLevelArray(root, "categories", sourceName), "categories", ReadCategory);
        return new CocoDataset(images, annotations, categories, issues);
    }

    public void Save(string path)
    {
        using var stream = File.Create(path);
        WriteTo(stream);
    }

    public void WriteTo(Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        writer.WriteStartObject();
        writer.WriteStartArray("images");
        foreach (var image in Images)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", image.Id);
            writer.WriteString("file_name", image.FileName);
            writer.WriteNumber("width", image.Width);
            writer.WriteNumber("height", image.Height);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("annotations");
        foreach (var annotation in Annotations)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", annotation.Id);
            writer.WriteNumber("image_id", annotation.ImageId);
            writer.WriteNumber("category_id", annotation.CategoryId);
            CocoJson.WriteBox(writer, annotation.Box);
            writer.WriteNumber("area", annotation.Area);
            writer.WriteNumber("iscrowd", annotation.IsCrowd ? 1 : 0);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("categories");
        foreach (var category in Categories)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", category.Id);
            writer.WriteString("name", category.Name);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private string? Check(CocoAnnotation annotation, HashSet<long> annotationIds)
    {
        if (!_imagesById.ContainsKey(annotation.ImageId))
        {
            return $"image_id {annotation.ImageId} is not in images";
        }

        if (!_categoryIndexById.ContainsKey(annotation.CategoryId))
        {
            return $"category_id {annotation.CategoryId} is not in categories";
        }

        if (!(annotation.Box.Width >= 0))
        {
            return "bbox has negative width";
        }

        if (!(annotation.Box.Height >= 0))
        {
            return "bbox has negative height";
        }

        if (!double.IsFinite(annotation.Area) || annotation.Area < 0)
        {
            return $"area {CocoJson.Format(annotation.Area)} is not a non-negative number";
        }

        // Duplicate ids last, so a skipped malformed entry does not claim its id.
        return annotationIds.Add(annotation.Id) ? null : $"annotation id {annotation.Id} is used twice";
    }

    private static CocoImage ReadImage(JsonElement element)
    {
        CocoJson.RequireObject(element);
        return new CocoImage(
            CocoJson.RequireInteger(element, "id"),
            CocoJson.RequireString(element, "file_name"),
            CocoJson.RequirePositiveInt(element, "width"),
            CocoJson.RequirePositiveInt(element, "height"));
    }

    private static CocoAnnotation ReadAnnotation(JsonElement element)
    {
        CocoJson.RequireObject(element);
        long id = CocoJson.RequireInteger(element, "id");
        long imageId = CocoJson.RequireInteger(element, "image_id");
        long categoryId = CocoJson.RequireInteger(element, "category_id");
        var box = CocoJson.RequireBox(element);
        double area = CocoJson.RequireFinite(element, "area");
        return new CocoAnnotation(id, imageId, categoryId, box, area, CocoJson.OptionalCrowdFlag(element));
    }

    private static CocoCategory ReadCategory(JsonElement element)
    {
        CocoJson.RequireObject(element);
        return new CocoCategory(CocoJson.RequireInteger(element, "id"), CocoJson.RequireString(element, "name"));
    }

    private static List<(string Entry, T Value)> Label<T>(IEnumerable<T> items, string arrayName) =>
        items.Select((item, index) => ($"{arrayName}[{index}]", item)).ToList();
}
