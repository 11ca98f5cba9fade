using System.Globalization;

namespace CornerNet.LoadGenerator;

/// <summary>A process's peak resident memory (VmHWM in /proc/PID/status, Linux): what the host must have for it.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set in MiB, or null where /proc does not say (not Linux, process gone).</summary>
    public static double? PeakResidentMegabytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null) return null;
            var kilobytes = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kilobytes / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>The started service's peak resident memory after its rows, per batching mode.</summary>
public sealed record ServicePeakMemory(string Mode, double? PeakResidentMegabytes);
