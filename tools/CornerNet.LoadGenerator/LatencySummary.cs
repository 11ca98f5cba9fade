namespace CornerNet.LoadGenerator;

/// <summary>Latency percentiles (nearest rank) in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50Ms, double P95Ms, double P99Ms, double MeanMs, double MaxMs)
{
    public static LatencySummary? Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0) return null;
        return new LatencySummary(sorted.Length, Rank(sorted, 50), Rank(sorted, 95), Rank(sorted, 99), sorted.Average(), sorted[^1]);
    }

    private static double Rank(double[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
