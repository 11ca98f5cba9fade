using System.Text.Json;
using CornerNet.Model.Data;

namespace CornerNet.Training.OfflineDetection;

/// <summary>
/// The files a <c>detect</c> run ends with, written from its outcomes in collection order: the COCO results JSON and
/// optionally one JSON line per image. Each is written to a temporary file beside it, flushed to the disk and renamed
/// over the target, so a reader never sees half a file.
/// </summary>
public static class DetectionResultFiles
{
    public static IEnumerable<CocoDetection> CocoDetections(IEnumerable<ImageOutcome> images) =>
        images.SelectMany(image => image.Detections.Select(d => new CocoDetection(image.ImageId, d.CategoryId, d.Box, d.Score)));

    /// <summary>Writes the COCO results array of <paramref name="images"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteResults(string path, IEnumerable<ImageOutcome> images) =>
        WriteAtomically(path, stream => CocoResults.Write(stream, CocoDetections(images)));

    /// <summary>Writes one JSON object per image (file, image id, detections with labels, or the error) atomically.</summary>
    public static void WriteJsonLines(string path, IEnumerable<ImageOutcome> images) => WriteAtomically(path, stream =>
    {
        foreach (var image in images)
        {
            using (var writer = new Utf8JsonWriter(stream)) WriteImage(writer, image);
            stream.WriteByte((byte)'\n');
        }
    });

    /// <summary>The JSON object of one image, as the journal and the JSON lines file hold it.</summary>
    public static void WriteImage(Utf8JsonWriter writer, ImageOutcome image)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(image);
        writer.WriteStartObject();
        writer.WriteNumber("index", image.Index);
        writer.WriteNumber("image_id", image.ImageId);
        writer.WriteString("file", image.Name);
        if (image.Error is { } error) writer.WriteString("error", error);
        writer.WriteStartArray("detections");
        foreach (var d in image.Detections)
        {
            writer.WriteStartObject();
            writer.WriteNumber("category_id", d.CategoryId);
            writer.WriteString("label", d.Label);
            writer.WriteStartArray("bbox");
            writer.WriteNumberValue(d.Box.X);
            writer.WriteNumberValue(d.Box.Y);
            writer.WriteNumberValue(d.Box.Width);
            writer.WriteNumberValue(d.Box.Height);
            writer.WriteEndArray();
            writer.WriteNumber("score", d.Score);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes <paramref name="path"/> through a temporary file beside it (<c>.name.tmp</c>), flushed to the disk and
    /// renamed over it: a reader sees the old file or the new one, never part of one. A run killed while writing leaves
    /// the temporary file, which the next write of the same path replaces.
    /// </summary>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
