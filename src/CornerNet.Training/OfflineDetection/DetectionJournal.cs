using System.Text.Json;
using CornerNet.Model.Data;

namespace CornerNet.Training.OfflineDetection;

/// <summary>
/// The append-only record of a <c>detect</c> run (<c>results.json.journal</c>): a header line with the run's
/// fingerprint, then one JSON line per finished batch, each written with one write and flushed to the disk
/// (fsync) before the next batch starts. A process killed at any moment leaves whole lines plus at most one torn last
/// line; reopening cuts the torn line off, so a batch is either recorded in full or run again, never both. A lock
/// file beside it (<c>.journal.lock</c>, held exclusively while the journal is open, left in place) makes a second run
/// on the same output fail instead of doubling the work; readers of the journal itself are not locked out. The header
/// also says which shard of which run the journal holds (<see cref="JournalShard"/>), for <c>merge</c>.
/// </summary>
public sealed class DetectionJournal : IDisposable
{
    public const string Format = "cornernet-detect-journal/1";

    private readonly FileStream _lock;
    private readonly FileStream _stream;
    private readonly Dictionary<int, BatchOutcome> _batches = [];

    private DetectionJournal(FileStream lockFile, FileStream stream, string path)
    {
        _lock = lockFile;
        _stream = stream;
        Path = path;
    }

    /// <summary>What a journal held when read by <see cref="Read"/>.</summary>
    /// <param name="Shard">The shard and run the header names; null in a journal written before headers named them.</param>
    /// <param name="Batches">Its whole batches, by number.</param>
    /// <param name="Torn">Whether it ends in a torn line (a run killed while writing it).</param>
    public sealed record Contents(JournalShard? Shard, IReadOnlyDictionary<int, BatchOutcome> Batches, bool Torn);

    public string Path { get; }

    /// <summary>Batches recorded so far, by batch number.</summary>
    public IReadOnlyDictionary<int, BatchOutcome> Batches => _batches;

    /// <summary>Bytes of a torn last line cut off at open (a run killed while writing it).</summary>
    public long TruncatedBytes { get; private set; }

    /// <summary>The journal path of a results file.</summary>
    public static string PathFor(string resultsPath) => resultsPath + ".journal";

    /// <summary>Opens the journal at <paramref name="path"/>, or starts one; its fingerprint must be <paramref name="fingerprint"/>.</summary>
    /// <param name="path">The journal file.</param>
    /// <param name="fingerprint">What must not change between a run and its resumption.</param>
    /// <param name="shard">The shard and run a new journal's header names.</param>
    /// <exception cref="IOException">Another run holds it, or it cannot be read or written.</exception>
    /// <exception cref="JournalMismatchException">It belongs to a run with other settings or another image list.</exception>
    public static DetectionJournal Open(string path, string fingerprint, JournalShard? shard = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path + ".lock"))
        {
            throw new IOException($"{path} is in use by another detect run (or its lock cannot be taken: {e.Message}).", e);
        }

        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            var journal = new DetectionJournal(lockFile, stream, path);
            journal.Load(fingerprint, shard);
            return journal;
        }
        catch
        {
            stream?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Appends <paramref name="batch"/> and flushes it to the disk before returning.</summary>
    public void Append(BatchOutcome batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_batches.ContainsKey(batch.Batch)) throw new InvalidOperationException($"batch {batch.Batch} is already in the journal.");
        WriteLine(BatchLine(batch));
        _batches.Add(batch.Batch, batch);
    }

    public void Dispose()
    {
        _stream.Dispose();
        _lock.Dispose();
    }

    /// <summary>Reads the journal at <paramref name="path"/> without opening it for a run (it may be in use).</summary>
    /// <exception cref="IOException">It cannot be read, or a line is not a journal entry.</exception>
    public static Contents Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }

        int end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var batches = new Dictionary<int, BatchOutcome>();
        JournalShard? shard = null;
        Parse(path, bytes, end, header =>
        {
            if (header.GetProperty("format").GetString() != Format) throw new FormatException($"not a {Format} file");
            shard = ReadShard(header);
        }, batches);
        return new Contents(shard, batches, end < bytes.Length);
    }

    private void Load(string fingerprint, JournalShard? shard)
    {
        var bytes = new byte[_stream.Length];
        _stream.ReadExactly(bytes);
        int end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        if (end < bytes.Length)
        {
            TruncatedBytes = bytes.Length - end;
            _stream.SetLength(end);
            _stream.Flush(flushToDisk: true);
        }

        _stream.Position = end;
        if (end == 0)
        {
            WriteLine(HeaderLine(fingerprint, shard));
            return;
        }

        Parse(Path, bytes, end, header => CheckHeader(header, fingerprint), _batches);
    }

    /// <summary>The whole lines of <paramref name="bytes"/> up to <paramref name="end"/>: the header, then batches.</summary>
    private static void Parse(string path, byte[] bytes, int end, Action<JsonElement> header, Dictionary<int, BatchOutcome> batches)
    {
        int lineNumber = 0;
        int start = 0;
        while (start < end)
        {
            int newline = Array.IndexOf(bytes, (byte)'\n', start);
            var line = bytes.AsMemory(start, newline - start);
            start = newline + 1;
            lineNumber++;
            try
            {
                using var document = JsonDocument.Parse(line);
                if (lineNumber == 1)
                {
                    header(document.RootElement);
                    continue;
                }

                var batch = ReadBatch(document.RootElement);
                if (!batches.TryAdd(batch.Batch, batch)) throw new FormatException($"batch {batch.Batch} appears twice");
            }
            catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
            {
                throw new IOException($"{path}: line {lineNumber} is not a journal entry ({e.Message}); delete the file to start over.", e);
            }
        }
    }

    private void CheckHeader(JsonElement header, string fingerprint)
    {
        if (header.GetProperty("format").GetString() != Format) throw new FormatException($"not a {Format} file");
        if (header.GetProperty("fingerprint").GetString() != fingerprint)
        {
            throw new JournalMismatchException(
                $"{Path} was started by a detect run with other settings or another image list; run that command again to finish it, "
                + "or delete the journal (or choose another --out) to start over.");
        }
    }

    private static JournalShard? ReadShard(JsonElement header) =>
        header.TryGetProperty("shard", out var shard) && header.TryGetProperty("images", out var images) && header.TryGetProperty("run", out var run)
            ? new JournalShard(Shard.Parse(shard.GetString() ?? ""), images.GetInt32(), run.GetString() ?? "")
            : null;

    private void WriteLine(byte[] line)
    {
        _stream.Write(line);
        _stream.Flush(flushToDisk: true);
    }

    private static byte[] HeaderLine(string fingerprint, JournalShard? shard) => Line(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteString("fingerprint", fingerprint);
        if (shard is not null)
        {
            writer.WriteString("shard", shard.Shard.ToString());
            writer.WriteNumber("images", shard.Images);
            writer.WriteString("run", shard.Run);
        }

        writer.WriteEndObject();
    });

    private static byte[] BatchLine(BatchOutcome batch) => Line(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("batch", batch.Batch);
        writer.WriteStartArray("images");
        foreach (var image in batch.Images) DetectionResultFiles.WriteImage(writer, image);
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static byte[] Line(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) write(writer);
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static BatchOutcome ReadBatch(JsonElement element)
    {
        int number = element.GetProperty("batch").GetInt32();
        var images = new List<ImageOutcome>();
        foreach (var image in element.GetProperty("images").EnumerateArray())
        {
            var detections = new List<DetectedObject>();
            foreach (var d in image.GetProperty("detections").EnumerateArray())
            {
                var box = d.GetProperty("bbox");
                detections.Add(new DetectedObject(
                    d.GetProperty("category_id").GetInt64(),
                    d.GetProperty("label").GetString() ?? "",
                    new CocoBox(box[0].GetDouble(), box[1].GetDouble(), box[2].GetDouble(), box[3].GetDouble()),
                    d.GetProperty("score").GetDouble()));
            }

            images.Add(new ImageOutcome(
                image.GetProperty("index").GetInt32(),
                image.GetProperty("image_id").GetInt64(),
                image.GetProperty("file").GetString() ?? "",
                detections,
                image.TryGetProperty("error", out var error) ? error.GetString() : null));
        }

        return new BatchOutcome(number, images);
    }
}
