using System.Globalization;

namespace CornerNet.LoadGenerator;

/// <summary>
/// CPU time a process has used (user + system, all threads), from /proc. CPU per image is much less disturbed by other
/// work on the machine than wall-clock throughput, and says where the cores go: the service's CPU per image against
/// the in-process pipeline's is the HTTP path's cost.
/// </summary>
public static class ProcessCpu
{
    // USER_HZ: the unit of /proc/PID/stat's times; 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static TimeSpan? Of(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            // Fields after the command name (which may contain spaces) in parentheses; utime and stime are fields 14 and 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public static TimeSpan Current() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
}
