using CornerNet.Model.Architecture;
using CornerNet.Model.Data;

namespace CornerNet.Training.OfflineDetection;

/// <summary>The COCO category id of each class of a network.</summary>
public sealed class CategoryMap
{
    /// <summary>The ids COCO 2017 gives its 80 classes, in <see cref="ArchitecturePresets.CocoClasses"/> order (1 to 90 with gaps).</summary>
    private static readonly long[] CocoIds =
    [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34,
        35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
        64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
    ];

    private readonly long[] _ids;

    private CategoryMap(long[] ids) => _ids = ids;

    public long this[int classIndex] => _ids[classIndex];

    /// <summary>COCO's own ids for a network with COCO's 80 classes, else 1 to C in class order.</summary>
    public static CategoryMap Default(ArchitectureSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Classes.SequenceEqual(ArchitecturePresets.CocoClasses, StringComparer.OrdinalIgnoreCase)) return new CategoryMap(CocoIds);
        return new CategoryMap([.. Enumerable.Range(1, spec.ClassCount).Select(i => (long)i)]);
    }

    /// <summary>The data set's ids: by name when it names every class of the network, else by position.</summary>
    /// <exception cref="ArgumentException">The counts differ and the names do not match.</exception>
    public static CategoryMap From(ArchitectureSpec spec, CocoDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(dataset);
        var byName = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var category in dataset.Categories) byName.TryAdd(category.Name, category.Id);
        if (spec.Classes.All(byName.ContainsKey)) return new CategoryMap([.. spec.Classes.Select(c => byName[c])]);
        if (dataset.CategoryCount != spec.ClassCount)
        {
            throw new ArgumentException($"the network has {spec.ClassCount} classes and the data set {dataset.CategoryCount} categories, with different names.");
        }

        return new CategoryMap([.. Enumerable.Range(0, spec.ClassCount).Select(dataset.CategoryId)]);
    }
}
