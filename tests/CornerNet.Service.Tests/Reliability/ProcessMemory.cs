using System.Globalization;

namespace CornerNet.Service.Tests.Reliability;

/// <summary>Resident memory of another process, from <c>/proc/&lt;pid&gt;/status</c> (Linux).</summary>
public sealed class ProcessMemory(int pid)
{
    /// <summary>Resident now (VmRSS), in bytes.</summary>
    public long Resident => Read("VmRSS");

    /// <summary>Peak resident since start or the last <see cref="ResetPeak"/> (VmHWM), in bytes.</summary>
    public long Peak => Read("VmHWM");

    /// <summary>Starts a new peak at the current resident size (<c>echo 5 &gt; /proc/pid/clear_refs</c>).</summary>
    public void ResetPeak() => File.WriteAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/clear_refs", "5");

    /// <summary>Polls until resident memory is under <paramref name="bytes"/>; the time that took, or null after <paramref name="timeout"/>.</summary>
    public async Task<TimeSpan?> WaitUntilUnderAsync(long bytes, TimeSpan timeout)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (Resident < bytes) return waited.Elapsed;
            await Task.Delay(250);
        }

        return Resident < bytes ? waited.Elapsed : null;
    }

    public static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture) + " MB";

    private long Read(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var kilobytes = line[(field.Length + 1)..].Trim().Split(' ')[0];
            return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
        }

        throw new InvalidOperationException($"No {field} in /proc/{pid}/status.");
    }
}
