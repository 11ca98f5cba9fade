using System.Diagnostics;

namespace CornerNet.Tools.Common;

/// <summary>
/// The one warm-up rule of every measurement: unmeasured calls until both a number of calls and a time have passed.
/// By count because .NET compiles a method fully (tier 1) only after 30 calls, and the managed decoder and NMS are
/// several times slower before; by time because libtorch's and malloc's caches settle over seconds, not calls.
/// </summary>
public static class Warmup
{
    /// <summary>Calls that are enough for tiered compilation to have promoted the hot methods.</summary>
    public const int TieredCompilationCalls = 40;

    /// <summary>Runs <paramref name="call"/> until at least <paramref name="calls"/> calls and <paramref name="duration"/> have passed.</summary>
    public static void Run(Action call, int calls, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(call);
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls || Stopwatch.GetElapsedTime(started) < duration; i++) call();
    }
}
