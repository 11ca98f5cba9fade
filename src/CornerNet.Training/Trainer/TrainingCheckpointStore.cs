using System.Globalization;

namespace CornerNet.Training.Trainer;

/// <summary>
/// Checkpoint folders <c>checkpoints/iter-NNNNNNN/</c> (model.pth + model.json, optimizer.bin, state.json). Each is
/// written under a temporary name and renamed when complete, so a run killed mid-write leaves the previous one intact.
/// </summary>
public sealed class TrainingCheckpointStore(string runDirectory)
{
    public const string WeightsFileName = "model.pth";
    public const string OptimizerFileName = "optimizer.bin";
    public const string StateFileName = "state.json";
    private const string Prefix = "iter-";
    private const string TemporarySuffix = ".tmp";

    public string Directory { get; } = Path.Combine(runDirectory, "checkpoints");

    public static string PathFor(string checkpointDirectory, string fileName) => Path.Combine(checkpointDirectory, fileName);

    /// <summary>Writes a checkpoint through <paramref name="writeFiles"/> (given the folder to fill) and keeps only the newest <paramref name="keep"/>.</summary>
    public string Save(int iteration, Action<string> writeFiles, int keep)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var final = Path.Combine(Directory, Name(iteration));
        var temporary = final + TemporarySuffix;
        if (System.IO.Directory.Exists(temporary)) System.IO.Directory.Delete(temporary, recursive: true);
        System.IO.Directory.CreateDirectory(temporary);
        writeFiles(temporary);
        if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
        System.IO.Directory.Move(temporary, final);
        Prune(keep);
        return final;
    }

    /// <summary>Completed checkpoints, oldest first.</summary>
    public IReadOnlyList<(int Iteration, string Path)> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var found = new List<(int, string)>();
        foreach (var path in System.IO.Directory.EnumerateDirectories(Directory, Prefix + "*"))
        {
            var name = System.IO.Path.GetFileName(path);
            if (name.EndsWith(TemporarySuffix, StringComparison.Ordinal)) continue;
            if (!int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var iteration)) continue;
            if (!File.Exists(PathFor(path, StateFileName))) continue;
            found.Add((iteration, path));
        }

        return found.OrderBy(c => c.Item1).ToList();
    }

    public (int Iteration, string Path)? Latest()
    {
        var all = List();
        return all.Count == 0 ? null : all[^1];
    }

    private void Prune(int keep)
    {
        var all = List();
        for (var i = 0; i < all.Count - keep; i++) System.IO.Directory.Delete(all[i].Path, recursive: true);
        foreach (var stale in System.IO.Directory.EnumerateDirectories(Directory, Prefix + "*" + TemporarySuffix))
        {
            System.IO.Directory.Delete(stale, recursive: true);
        }
    }

    private static string Name(int iteration) => Prefix + iteration.ToString("D7", CultureInfo.InvariantCulture);
}
