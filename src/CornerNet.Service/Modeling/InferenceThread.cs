using System.Collections.Concurrent;

namespace CornerNet.Service.Modeling;

/// <summary>
/// The one thread a model's tensor work runs on (loading, warm-up, every batch), with the model's intra-op thread
/// count set on it (<see cref="IntraOpThreads"/>). Work runs in the order given, synchronously, under the caller's
/// execution context (so the model's trace spans nest under the caller's).
/// </summary>
public sealed class InferenceThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly TaskCompletionSource<int> _threads = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _requested;

    /// <param name="name">The OS thread's name (Linux keeps 15 characters; the OpenMP threads it starts inherit it).</param>
    /// <param name="threads">Intra-op threads; 0 is libtorch's default.</param>
    public InferenceThread(string name, int threads)
    {
        _requested = threads;
        new Thread(Run) { IsBackground = true, Name = name }.Start();
    }

    /// <summary>The intra-op thread count in effect on this thread.</summary>
    public Task<int> Threads => _threads.Task;

    /// <summary>Runs <paramref name="work"/> on this thread; throws <see cref="ObjectDisposedException"/> once stopped.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = ExecutionContext.Capture();
        void Execute()
        {
            try
            {
                done.SetResult(context is null ? work() : RunIn(context, work));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }

        try
        {
            _work.Add(Execute);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(InferenceThread), "The model's thread has stopped.");
        }

        return done.Task;
    }

    /// <summary>Starts a thread with the same settings for one piece of work (a reload beside the serving model).</summary>
    public static Task<T> RunOnceAsync<T>(string name, int threads, Func<T> work)
    {
        var thread = new InferenceThread(name, threads);
        var result = thread.RunAsync(work);
        thread.Dispose();
        return result;
    }

    /// <summary>Ends the thread after the work already given (the collection is left to the garbage collector: a
    /// caller racing with shutdown gets <see cref="ObjectDisposedException"/> from <see cref="RunAsync{T}"/>).</summary>
    public void Dispose()
    {
        if (!_work.IsAddingCompleted) _work.CompleteAdding();
    }

    private static T RunIn<T>(ExecutionContext context, Func<T> work)
    {
        T result = default!;
        ExecutionContext.Run(context, _ => result = work(), null);
        return result;
    }

    private void Run()
    {
        try
        {
            _threads.SetResult(IntraOpThreads.UseOnThisThread(_requested));
        }
        catch (Exception e)
        {
            _threads.SetException(e);
        }

        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
