namespace CornerNet.Model.Architecture;

/// <summary>The names of <see cref="InferencePrecision"/> in settings and on command lines ("fp32", "bf16"), parsed once.</summary>
public static class InferencePrecisions
{
    public static IReadOnlyList<string> Names { get; } = ["fp32", "bf16"];

    /// <summary>Case-insensitive; only the names above (not enum numbers).</summary>
    public static bool TryParse(string? text, out InferencePrecision precision)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "fp32":
                precision = InferencePrecision.Fp32;
                return true;
            case "bf16":
                precision = InferencePrecision.Bf16;
                return true;
            default:
                precision = default;
                return false;
        }
    }

    /// <summary>Throws <see cref="FormatException"/> for anything but the names above.</summary>
    public static InferencePrecision Parse(string text) =>
        TryParse(text, out var precision) ? precision : throw new FormatException($"'{text}' is not a precision ({string.Join(" or ", Names)}).");

    public static string Name(this InferencePrecision precision) => precision switch
    {
        InferencePrecision.Fp32 => "fp32",
        InferencePrecision.Bf16 => "bf16",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };
}
