using CornerNet.Model.Architecture;

namespace CornerNet.Tools.Common;

/// <summary>The command-line lists of the tools ("1,2,4", "fp32,bf16", "on,off"): one parser, one wording of errors.</summary>
public static class CommaSeparated
{
    /// <summary>
    /// Parses each entry with <paramref name="parse"/> (null for an entry it rejects); duplicates are dropped, order is
    /// kept. Throws <see cref="FormatException"/> naming <paramref name="what"/> and the entry, or an empty list.
    /// </summary>
    public static IReadOnlyList<T> Parse<T>(string text, string what, string expected, Func<string, T?> parse)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(parse);
        var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => parse(part) ?? throw new FormatException($"{what}: '{part}' is not {expected}."))
            .Distinct()
            .ToArray();
        return values.Length > 0 ? values : throw new FormatException($"{what}: no value given.");
    }

    /// <summary>"1,4,16".</summary>
    public static IReadOnlyList<int> PositiveIntegers(string text, string what) =>
        Parse(text, what, "a positive integer", part => int.TryParse(part, out var value) && value > 0 ? value : (int?)null);

    /// <summary>"fp32,bf16".</summary>
    public static IReadOnlyList<InferencePrecision> Precisions(string text, string what) =>
        Parse(text, what, $"a precision ({string.Join(" or ", InferencePrecisions.Names)})",
            part => InferencePrecisions.TryParse(part, out var precision) ? precision : (InferencePrecision?)null);
}
