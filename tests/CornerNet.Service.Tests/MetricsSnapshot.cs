using System.Globalization;
using System.Text.RegularExpressions;

namespace CornerNet.Service.Tests;

/// <summary>Values read from the service's /metrics page (Prometheus text format).</summary>
internal sealed partial class MetricsSnapshot(IReadOnlyDictionary<string, double> values)
{
    public static async Task<MetricsSnapshot> ReadAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics");
        var values = new Dictionary<string, double>();
        foreach (Match line in SampleLine().Matches(text))
        {
            values[line.Groups[1].Value] = double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        return new MetricsSnapshot(values);
    }

    /// <summary>A sample by its full name with labels, e.g. <c>cornernet_batch_size_bucket{le="1"}</c>; 0 when absent.</summary>
    public double this[string sample] => values.TryGetValue(sample, out var value) ? value : 0;

    /// <summary>The sum of a metric's samples whose labels contain every one of <paramref name="labels"/> (e.g. <c>code="415"</c>).</summary>
    public double Sum(string metric, params string[] labels) => values
        .Where(sample => sample.Key.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(label => sample.Key.Contains(label, StringComparison.Ordinal)))
        .Sum(sample => sample.Value);

    [GeneratedRegex(@"^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) ([-+0-9.eE]+|NaN|\+Inf)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
