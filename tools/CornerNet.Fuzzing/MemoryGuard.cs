using System.Globalization;

namespace CornerNet.Fuzzing;

/// <summary>
/// Turns an input that makes the process's resident memory peak above a limit into a finding: afl-fuzz only sees
/// crashes and hangs, and a decompression bomb that is refused after allocating gigabytes is neither. Linux only: the
/// peak is VmHWM in /proc/self/status, reset after each input by writing 5 to /proc/self/clear_refs.
/// </summary>
public sealed class MemoryGuard(long limitBytes)
{
    public long LimitBytes { get; } = limitBytes;

    /// <summary>Runs <paramref name="action"/>; throws when the resident peak during it exceeded the limit.</summary>
    public void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ResetPeak();
        action();
        var peak = PeakBytes();
        if (peak > LimitBytes)
        {
            throw new InvalidOperationException(
                $"The input made resident memory peak at {peak >> 20} MB, above the fuzzing limit of {LimitBytes >> 20} MB.");
        }
    }

    private static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak is then the process's lifetime peak, which still catches a bomb.
        }
    }

    private static long PeakBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
