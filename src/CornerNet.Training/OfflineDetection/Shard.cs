using System.Globalization;

namespace CornerNet.Training.OfflineDetection;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> of a collection: the images whose position in the sorted collection
/// is <see cref="Index"/> modulo <see cref="Count"/>. Every image is in exactly one shard, and the split depends only on
/// the collection, so pods of a Kubernetes Indexed Job (<c>--shard $(JOB_COMPLETION_INDEX)/N</c>) agree on it.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard Whole { get; } = new(0, 1);

    /// <summary>Parses <c>i/n</c> with 0 &lt;= i &lt; n.</summary>
    /// <exception cref="ArgumentException">Not of that form.</exception>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count)
        {
            return new Shard(index, count);
        }

        throw new ArgumentException($"--shard must be i/n with 0 <= i < n, such as 0/4 (got '{text}').");
    }

    public IReadOnlyList<ImageItem> Select(IReadOnlyList<ImageItem> collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var shard = this;
        return [.. collection.Where(item => item.Index % shard.Count == shard.Index)];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
