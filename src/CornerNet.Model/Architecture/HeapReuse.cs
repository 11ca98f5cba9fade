using System.Runtime.InteropServices;

namespace CornerNet.Model.Architecture;

/// <summary>
/// Makes glibc's malloc keep freed memory for reuse instead of handing it back to the kernel. libtorch allocates every
/// activation afresh; glibc serves allocations above 32 MB (and, adaptively, smaller ones) with mmap and unmaps
/// them on free, so each forward pass page-faults its whole working set in again, zero-filled. On the project's
/// machine that was a large share of Hourglass-104's forward time (measured in docs/performance-notes.md, "Freed
/// memory kept"). The price: the process keeps its peak working set resident. Process-wide; Linux with glibc only.
/// </summary>
public static class HeapReuse
{
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapMax = -4;       // M_MMAP_MAX
    private const int ArenaMax = -8;      // M_ARENA_MAX

    private static int _applied;

    /// <summary>True once <see cref="Enable"/> has changed malloc's settings in this process.</summary>
    public static bool Enabled => Volatile.Read(ref _applied) == 1;

    /// <summary>Serves every allocation from the heap and never trims it; false where that is not possible.</summary>
    public static bool Enable()
    {
        if (Enabled) return true;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // mallopt returns 1 on success; musl (Alpine) has no mallopt at all.
            // One arena per core instead of glibc's eight: each arena keeps its own peak now that nothing is trimmed, and
            // a server's many request threads would otherwise each grow one (resident memory kept rising for
            // thousands of requests in the soak test).
            bool ok = Mallopt(MmapMax, 0) == 1 && Mallopt(TrimThreshold, int.MaxValue) == 1
                      && Mallopt(ArenaMax, Environment.ProcessorCount) == 1;
            if (ok) Volatile.Write(ref _applied, 1);
            return ok;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Hands malloc's free memory back to the kernel once (glibc's <c>malloc_trim(0)</c>: the top of each arena and
    /// every free page inside it), whatever <see cref="Enable"/> set. For an idle moment: the next allocations
    /// fault their pages in again. False where there is no glibc.
    /// </summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            _ = MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
