using System.Text.Json;

namespace CornerNet.Model.Data;

/// <summary>A COCO detection results file: a JSON array of {image_id, category_id, bbox, score}.</summary>
public sealed class CocoResults
{
    public CocoResults(IEnumerable<CocoDetection> detections)
        : this([.. detections], [])
    {
    }

    private CocoResults(IReadOnlyList<CocoDetection> detections, IReadOnlyList<CocoLoadIssue> skippedEntries)
    {
        Detections = detections;
        SkippedEntries = skippedEntries;
    }

    /// <summary>Detections in file order (evaluation breaks score ties by it).</summary>
    public IReadOnlyList<CocoDetection> Detections { get; }

    /// <summary>Entries left out under <see cref="CocoMalformedEntryPolicy.SkipAndCount"/>; empty otherwise.</summary>
    public IReadOnlyList<CocoLoadIssue> SkippedEntries { get; }

    public static CocoResults Load(string path, CocoLoadOptions? options = null) =>
        Parse(CocoJson.ReadFile(path), path, options);

    public static CocoResults Parse(string json, string sourceName, CocoLoadOptions? options = null)
    {
        options ??= CocoLoadOptions.Default;
        using var document = CocoJson.Parse(json, sourceName);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new CocoFormatException(sourceName, null, "is not a JSON array of detections");
        }

        var issues = new CocoIssueCollector(sourceName, options.MalformedEntries);
        var detections = issues.ReadEach(document.RootElement, "results", ReadDetection);
        return new CocoResults([.. detections.Select(d => d.Value)], issues.Issues);
    }

    public static void Save(string path, IEnumerable<CocoDetection> detections)
    {
        using var stream = File.Create(path);
        Write(stream, detections);
    }

    public static void Write(Stream stream, IEnumerable<CocoDetection> detections)
    {
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartArray();
        foreach (var detection in detections)
        {
            writer.WriteStartObject();
            writer.WriteNumber("image_id", detection.ImageId);
            writer.WriteNumber("category_id", detection.CategoryId);
            CocoJson.WriteBox(writer, detection.Box);
            writer.WriteNumber("score", detection.Score);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public void Save(string path) => Save(path, Detections);

    private static CocoDetection ReadDetection(JsonElement element)
    {
        CocoJson.RequireObject(element);
        return new CocoDetection(
            CocoJson.RequireInteger(element, "image_id"),
            CocoJson.RequireInteger(element, "category_id"),
            CocoJson.RequireBox(element),
            CocoJson.RequireFinite(element, "score"));
    }
}
