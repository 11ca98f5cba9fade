using TorchSharp;

namespace CornerNet.Service.Modeling;

/// <summary>
/// libtorch's intra-op thread count, per calling thread. This libtorch parallelises with OpenMP (libgomp), whose thread
/// count is per thread: <c>torch.set_num_threads</c> sets it for the calling thread's parallel regions (and records a
/// process-wide value that a thread takes when it first runs parallel work, overwriting what was set on it before). So
/// each model's thread first lets that happen, then sets its own count: two models on one CPU get a team of threads
/// each, of the sizes configured (docs/configuration.md, "Several models").
/// </summary>
public static class IntraOpThreads
{
    private static readonly Lazy<int> LibtorchDefault = new(torch.get_num_threads);

    /// <summary>libtorch's own choice (one thread per core), read before any model sets a count.</summary>
    public static int Default => LibtorchDefault.Value;

    /// <summary>Sets the calling thread's count (0: <see cref="Default"/>) and returns the count now in effect on it.</summary>
    public static int UseOnThisThread(int threads)
    {
        var wanted = threads > 0 ? threads : Default;
        // Lets libtorch's lazy per-thread initialisation run now, so it cannot later replace the count set below.
        _ = torch.get_num_threads();
        torch.set_num_threads(wanted);
        return torch.get_num_threads();
    }
}
