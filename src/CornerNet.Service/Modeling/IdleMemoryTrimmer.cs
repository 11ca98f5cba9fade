using System.Runtime;
using CornerNet.Model.Architecture;
using CornerNet.Service.Api;
using CornerNet.Service.Configuration;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Modeling;

/// <summary>
/// After a burst, gives back the memory the process no longer needs: once no request has held pixels or body bytes
/// for Inference:TrimMemoryWhenIdleSeconds, a compacting, decommitting garbage collection (large object heap
/// included) and malloc_trim (<see cref="HeapReuse.Trim"/>), once per idle spell. Steady traffic is never trimmed
/// (the heap malloc keeps is what makes back-to-back forward passes fast, Inference:ReuseFreedMemory); the first
/// request after an idle spell faults its working set in again.
/// </summary>
public sealed class IdleMemoryTrimmer(RequestBudgets budgets, IOptions<InferenceOptions> options, ILogger<IdleMemoryTrimmer> logger) : BackgroundService
{
    private long _trimmedAt = Environment.TickCount64;

    /// <summary>How many times memory has been trimmed.</summary>
    public int Trims { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int idleSeconds = options.Value.TrimMemoryWhenIdleSeconds;
        if (idleSeconds == 0) return;
        var idle = TimeSpan.FromSeconds(idleSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(idleSeconds / 4.0, 0.25, 5)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            long idleSince = budgets.LastIdleSince;
            if (!budgets.Idle || idleSince <= _trimmedAt || Environment.TickCount64 - idleSince < idle.TotalMilliseconds) continue;
            Trim();
        }
    }

    /// <summary>Collects and trims now.</summary>
    public void Trim()
    {
        long before = Environment.WorkingSet;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        HeapReuse.Trim();
        _trimmedAt = Environment.TickCount64;
        Trims++;
        logger.LogInformation("Idle: memory trimmed, resident {Before} MB -> {After} MB",
            before / (1024 * 1024), Environment.WorkingSet / (1024 * 1024));
    }
}
