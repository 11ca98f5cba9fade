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

    /// <summary>
    /// A sample by its name and labels, e.g. <c>cornernet_batch_size_bucket{le="1"}</c>, summed over the labels not named
    /// (such as <c>model</c>, over every model of every host in the test process); 0 when absent.
    /// </summary>
    public double this[string sample]
    {
        get
        {
            var brace = sample.IndexOf('{', StringComparison.Ordinal);
            var name = brace < 0 ? sample : sample[..brace];
            var labels = brace < 0 ? [] : sample[(brace + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries);
            return values
                .Where(s => (s.Key == name && labels.Length == 0)
                            || (s.Key.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => s.Key.Contains(l, StringComparison.Ordinal))))
                .Sum(s => s.Value);
        }
    }

    /// <summary>The sum of a metric's samples whose labels contain every one of <paramref name="labels"/> (e.g. <c>code="415"</c>).</summary>
    public double Sum(string metric, params string[] labels) => values
        .Where(sample => sample.Key.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(label => sample.Key.Contains(label, StringComparison.Ordinal)))
        .Sum(sample => sample.Value);

    [GeneratedRegex(@"^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) ([-+0-9.eE]+|NaN|\+Inf)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
