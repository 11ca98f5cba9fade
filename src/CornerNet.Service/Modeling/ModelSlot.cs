namespace CornerNet.Service.Modeling;

/// <summary>
/// The weights a model serves now, and those it served before until their last batch is over: a batch takes a
/// <see cref="Lease"/> on the current weights, a reload <see cref="Swap"/>s new ones in, and replaced weights are
/// disposed when the last lease on them ends (at once if none). Disposing the slot retires the current weights the
/// same way, so a batch still running at exit keeps its network (freeing it under the batch crashes the process).
/// </summary>
public sealed class ModelSlot : IDisposable
{
    private readonly Lock _lock = new();
    private Generation? _current;

    /// <summary>The weights new batches get; null until the first load.</summary>
    public LoadedModel? Current => Volatile.Read(ref _current)?.Model;

    /// <summary>Weights replaced but still used by a running batch.</summary>
    public int Retiring { get; private set; }

    /// <summary>The current weights, held until the lease is disposed.</summary>
    public Lease Acquire()
    {
        lock (_lock)
        {
            var generation = _current ?? throw new InvalidOperationException("The model is not loaded yet.");
            generation.Users++;
            return new Lease(this, generation);
        }
    }

    /// <summary>Serves <paramref name="next"/> from now on; the weights it replaces go once no batch uses them.</summary>
    public void Swap(LoadedModel next)
    {
        Generation? old;
        lock (_lock)
        {
            old = _current;
            Volatile.Write(ref _current, new Generation(next));
        }

        if (old is not null) Retire(old);
    }

    public void Dispose()
    {
        Generation? old;
        lock (_lock)
        {
            old = _current;
            Volatile.Write(ref _current, null);
        }

        if (old is not null) Retire(old);
    }

    private void Retire(Generation generation)
    {
        bool unused;
        lock (_lock)
        {
            generation.Retired = true;
            unused = generation.Users == 0;
            if (!unused) Retiring++;
        }

        if (unused) generation.Model.Dispose();
    }

    private void Release(Generation generation)
    {
        bool last;
        lock (_lock)
        {
            generation.Users--;
            last = generation.Retired && generation.Users == 0;
            if (last) Retiring--;
        }

        if (last) generation.Model.Dispose();
    }

    internal sealed class Generation(LoadedModel model)
    {
        public LoadedModel Model { get; } = model;

        public int Users { get; set; }

        public bool Retired { get; set; }
    }

    /// <summary>A hold on one set of weights: they are not disposed before it is.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ModelSlot _slot;
        private readonly Generation _generation;
        private int _released;

        internal Lease(ModelSlot slot, Generation generation)
        {
            _slot = slot;
            _generation = generation;
        }

        public LoadedModel Model => _generation.Model;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _slot.Release(_generation);
        }
    }
}
