using System.Runtime.InteropServices;

namespace CornerNet.Benchmarks;

/// <summary>CPU time from clock_gettime (Linux): what work costs, which barely moves when other processes load the
/// machine, unlike wall time. NaN where the clock is unavailable.</summary>
public static class CpuClock
{
    private const int ProcessCpuClock = 2; // CLOCK_PROCESS_CPUTIME_ID
    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    /// <summary>CPU milliseconds of the calling thread.</summary>
    public static double ThreadMilliseconds() => Read(ThreadCpuClock);

    /// <summary>CPU milliseconds of the whole process (every thread, libtorch's OpenMP workers included).</summary>
    public static double ProcessMilliseconds() => Read(ProcessCpuClock);

    private static double Read(int clock) =>
        ClockGetTime(clock, out var time) == 0 ? time.Seconds * 1e3 + time.Nanoseconds / 1e6 : double.NaN;

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
