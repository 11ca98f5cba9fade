using System.Diagnostics;
using System.Globalization;

namespace CornerNet.Service.Batching;

/// <summary>
/// Which batch sizes are worth running on this model and machine, measured: batches of 1, 2, 4 ... up to
/// Batching:MaxBatchSize, interleaved, each timed <see cref="Rounds"/> times (the fastest counts: other work on the
/// machine only ever adds time). The cap is the size with the best time per image; a size within
/// <see cref="Tolerance"/> of that and smaller is preferred (same throughput, less latency). Measuring stops at the
/// first size clearly slower per image than the best so far (larger ones are not tried).
/// </summary>
public sealed record BatchSizeProfile(int Cap, IReadOnlyList<(int Size, TimeSpan PerImage)> Measured)
{
    public const int Rounds = 3;

    /// <summary>Per-image times within this fraction of the best count as equally good.</summary>
    public const double Tolerance = 0.05;

    /// <summary>A size this much slower per image than the best ends the measurement.</summary>
    public const double GiveUp = 0.10;

    /// <summary>A model this slow per image is timed once per size: repeats would cost start-up seconds.</summary>
    public static readonly TimeSpan SlowImage = TimeSpan.FromMilliseconds(500);

    /// <summary>Time per image of the chosen cap (the admission estimate's starting point).</summary>
    public TimeSpan PerImage => Measured.First(m => m.Size == Cap).PerImage;

    /// <summary>No measurement: the cap as configured.</summary>
    public static BatchSizeProfile Unmeasured(int maxBatchSize) => new(maxBatchSize, []);

    /// <summary>The sizes tried for a cap of <paramref name="maxBatchSize"/>: powers of two below it, and it.</summary>
    public static IReadOnlyList<int> Candidates(int maxBatchSize)
    {
        var sizes = new List<int>();
        for (var size = 1; size < maxBatchSize; size *= 2) sizes.Add(size);
        sizes.Add(maxBatchSize);
        return sizes;
    }

    /// <param name="runBatch">Runs one batch of the given size through the model, synchronously.</param>
    /// <param name="time">Times an action (a fake clock in tests).</param>
    public static BatchSizeProfile Measure(int maxBatchSize, Action<int> runBatch, Func<Action, TimeSpan>? time = null)
    {
        time ??= Time;
        var best = new Dictionary<int, TimeSpan>();
        var tried = new List<int>();
        var rounds = Rounds;
        foreach (var size in Candidates(maxBatchSize))
        {
            // Interleaved with the sizes already measured, so a burst of other work on the machine hits them all.
            tried.Add(size);
            if (size == 1)
            {
                best[1] = time(() => runBatch(1));
                if (best[1] > SlowImage) rounds = 1;
            }

            for (var round = size == 1 ? 1 : 0; round < rounds; round++)
            {
                foreach (var s in round == 0 ? [size] : tried)
                {
                    var perImage = time(() => runBatch(s)) / s;
                    best[s] = best.TryGetValue(s, out var known) && known <= perImage ? known : perImage;
                }
            }

            var fastest = best.Values.Min();
            if (best[size] > fastest * (1 + GiveUp)) break;
        }

        var measured = best.OrderBy(m => m.Key).Select(m => (m.Key, m.Value)).ToList();
        var floor = measured.Min(m => m.Value);
        var cap = measured.First(m => m.Value <= floor * (1 + Tolerance)).Key;
        return new BatchSizeProfile(cap, measured);
    }

    public string Describe() => Measured.Count == 0
        ? $"batch size cap {Cap} (not measured)"
        : $"batch size cap {Cap} ({string.Join(", ", Measured.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Size}: {m.PerImage.TotalMilliseconds:F1} ms/image")))})";

    private static TimeSpan Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started);
    }
}
