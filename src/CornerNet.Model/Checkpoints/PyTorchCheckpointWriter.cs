using System.Text;
using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// Writes tensors as a PyTorch zip checkpoint (torch.save's default format since 1.6): <c>torch.load</c> returns an
/// OrderedDict of the same keys, values, dtypes and shapes.
/// </summary>
public static class PyTorchCheckpointWriter
{
    private const string ArchiveFolder = "archive";

    /// <summary>The zip container version PyTorch 1.6 to 2.x write.</summary>
    private const string FormatVersion = "3\n";

    /// <summary>Writes <paramref name="tensors"/> (any device; each stored contiguously) to <paramref name="path"/>,
    /// atomically: a temporary file in the same folder replaces the target only once it is complete.</summary>
    /// <exception cref="ArgumentException">A key is repeated or null, or a tensor's dtype is not supported.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = Validate(tensors);

        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        var temporaryPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                WriteArchive(file, entries);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporaryPath, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporaryPath)) File.Delete(temporaryPath);
        }
    }

    private static List<KeyValuePair<string, Tensor>> Validate(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var entries = tensors.ToList();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, tensor) in entries)
        {
            if (key is null) throw new ArgumentException("A state dict key is null.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"The tensor for '{key}' is null.", nameof(tensors));
            if (!keys.Add(key)) throw new ArgumentException($"Duplicate state dict key '{key}'.", nameof(tensors));
            if (!TorchDataTypes.IsSupported(tensor.dtype))
            {
                throw new ArgumentException($"'{key}' has dtype {tensor.dtype}, which checkpoints here do not support.", nameof(tensors));
            }
        }

        return entries;
    }

    private static void WriteArchive(Stream output, List<KeyValuePair<string, Tensor>> entries)
    {
        var zip = new StoredZipWriter(output);
        var described = entries.Select((entry, index) => new PickleWriter.TensorEntry(
            entry.Key, entry.Value.dtype, entry.Value.shape, index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        zip.AddEntry($"{ArchiveFolder}/data.pkl", PickleWriter.StateDict(described));

        for (var index = 0; index < entries.Count; index++)
        {
            using var scope = NewDisposeScope();
            var flat = entries[index].Value.detach().cpu().contiguous().reshape(-1);
            var crc = ZipCrc32.Initial;
            TensorBytes.ForEachChunk(flat, chunk => crc = ZipCrc32.Append(crc, chunk));
            var byteCount = flat.numel() * flat.ElementSize;
            zip.AddEntry($"{ArchiveFolder}/data/{index}", byteCount, crc, stream => TensorBytes.ForEachChunk(flat, stream.Write));
        }

        zip.AddEntry($"{ArchiveFolder}/version", Encoding.ASCII.GetBytes(FormatVersion));
        zip.AddEntry($"{ArchiveFolder}/byteorder", Encoding.ASCII.GetBytes("little"));
        zip.Finish();
    }
}
