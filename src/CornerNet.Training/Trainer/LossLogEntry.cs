using System.Text.Json;
using System.Text.Json.Serialization;

namespace CornerNet.Training.Trainer;

/// <summary>One line of the JSON-lines loss log.</summary>
public sealed record LossLogEntry(
    [property: JsonPropertyName("iteration")] int Iteration,
    [property: JsonPropertyName("lr")] double LearningRate,
    [property: JsonPropertyName("total")] double Total,
    [property: JsonPropertyName("focal")] double Focal,
    [property: JsonPropertyName("pull")] double Pull,
    [property: JsonPropertyName("push")] double Push,
    [property: JsonPropertyName("offset")] double Offset,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    /// <summary>CornerNet-Saccade's attention focal loss; absent (null) for the other families.</summary>
    [JsonPropertyName("attention")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Attention { get; init; }

    /// <summary>The entry on a line, or null for a blank or torn line (a killed run may leave half a line).</summary>
    public static LossLogEntry? TryParse(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        try
        {
            return JsonSerializer.Deserialize<LossLogEntry>(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static IReadOnlyList<LossLogEntry> ReadAll(string path) =>
        File.ReadLines(path).Select(TryParse).OfType<LossLogEntry>().ToList();
}
