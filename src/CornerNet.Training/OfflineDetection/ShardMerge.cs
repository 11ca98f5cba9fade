using System.Globalization;

namespace CornerNet.Training.OfflineDetection;

/// <summary>
/// <c>merge</c>: the results files of the shards of one <c>detect</c> run (<c>--shard i/n</c>, each pod of a Kubernetes
/// Indexed Job writing its own) into the one results file an unsharded run writes, byte for byte: the outcomes of every
/// shard are read from their journals (which keep each image's position in the collection) and written in collection
/// order. Refuses, naming the files, a set with a shard missing or twice, shards of different runs or counts, or a
/// shard not finished, so a merged file is never silently incomplete.
/// </summary>
public static class ShardMerge
{
    /// <summary>Merges the shards <paramref name="shardResults"/> into <paramref name="outputPath"/> (and
    /// <paramref name="jsonLinesPath"/>); returns the outcomes written.</summary>
    /// <exception cref="ShardMergeException">The files are not one whole, finished run.</exception>
    /// <exception cref="IOException">A journal cannot be read.</exception>
    public static IReadOnlyList<ImageOutcome> Run(IReadOnlyList<string> shardResults, string outputPath, string? jsonLinesPath)
    {
        ArgumentNullException.ThrowIfNull(shardResults);
        ArgumentNullException.ThrowIfNull(outputPath);
        if (shardResults.Count == 0) throw new ShardMergeException("no shard results files given.");

        var shards = new List<(string File, JournalShard Shard, List<ImageOutcome> Images)>();
        foreach (var file in shardResults)
        {
            var journalPath = DetectionJournal.PathFor(Path.GetFullPath(file));
            if (!File.Exists(journalPath))
            {
                throw new ShardMergeException($"{file}: its journal ({journalPath}) is missing; merge reads the shards' journals, which keep each image's place in the collection.");
            }

            var contents = DetectionJournal.Read(journalPath);
            var shard = contents.Shard ?? throw new ShardMergeException($"{file}: its journal does not say which shard it holds (written by an older detect); run that shard again.");
            var images = contents.Batches.OrderBy(b => b.Key).SelectMany(b => b.Value.Images).ToList();
            if (images.Count != shard.Images || contents.Torn)
            {
                throw new ShardMergeException(string.Create(CultureInfo.InvariantCulture,
                    $"{file}: shard {shard.Shard} is not finished ({images.Count} of {shard.Images} images); run its detect command again to finish it."));
            }

            shards.Add((file, shard, images));
        }

        var first = shards[0];
        foreach (var other in shards.Skip(1))
        {
            if (other.Shard.Shard.Count != first.Shard.Shard.Count)
            {
                throw new ShardMergeException($"{first.File} is shard {first.Shard.Shard} but {other.File} is shard {other.Shard.Shard}: not parts of one split.");
            }

            if (other.Shard.Run != first.Shard.Run)
            {
                throw new ShardMergeException($"{first.File} and {other.File} come from different detect runs (other weights, settings or images).");
            }
        }

        int count = first.Shard.Shard.Count;
        if (shards.GroupBy(s => s.Shard.Shard.Index).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ShardMergeException(string.Create(CultureInfo.InvariantCulture,
                $"shard {twice.Key}/{count} is given twice: {string.Join(" and ", twice.Select(s => s.File))}."));
        }

        var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.Shard.Shard.Index)).ToList();
        if (missing.Count > 0)
        {
            throw new ShardMergeException(string.Create(CultureInfo.InvariantCulture,
                $"{(missing.Count == 1 ? "shard" : "shards")} {string.Join(", ", missing.Select(i => $"{i}/{count}"))} {(missing.Count == 1 ? "is" : "are")} missing; given: {string.Join(", ", shards.OrderBy(s => s.Shard.Shard.Index).Select(s => $"{s.Shard.Shard} ({s.File})"))}."));
        }

        var outcomes = shards.SelectMany(s => s.Images).OrderBy(o => o.Index).ToList();
        DetectionResultFiles.WriteResults(outputPath, outcomes);
        if (jsonLinesPath is not null) DetectionResultFiles.WriteJsonLines(jsonLinesPath, outcomes);
        return outcomes;
    }

    /// <summary>The files <paramref name="arguments"/> name: each a file, or a glob (quoted, or from a container's args)
    /// whose matches are taken in name order.</summary>
    /// <exception cref="ShardMergeException">A glob matches nothing.</exception>
    public static IReadOnlyList<string> Files(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var files = new List<string>();
        foreach (var argument in arguments)
        {
            if (!FileGlob.IsPattern(argument) || File.Exists(argument))
            {
                files.Add(argument);
                continue;
            }

            var matches = FileGlob.Expand(argument).Paths.Order(StringComparer.Ordinal).ToList();
            if (matches.Count == 0) throw new ShardMergeException($"'{argument}' matches no files.");
            files.AddRange(matches);
        }

        return files;
    }
}
