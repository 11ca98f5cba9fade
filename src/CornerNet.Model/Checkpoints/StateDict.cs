using System.Collections;
using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// Named tensors in a fixed order (for a checkpoint, the file's order). The state dict owns its tensors:
/// disposing it disposes them.
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> _entries = [];
    private readonly Dictionary<string, Tensor> _byKey = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="entries"/>' tensors. Keys must be unique.</summary>
    public StateDict(IEnumerable<KeyValuePair<string, Tensor>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, tensor) in entries)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(entries));
            ArgumentNullException.ThrowIfNull(tensor, nameof(entries));
            if (!_byKey.TryAdd(key, tensor)) throw new ArgumentException($"Duplicate state dict key '{key}'.", nameof(entries));
            _entries.Add(new(key, tensor));
        }
    }

    public int Count => _entries.Count;

    /// <summary>Keys in order.</summary>
    public IEnumerable<string> Keys => _entries.Select(entry => entry.Key);

    /// <summary>Tensors in key order.</summary>
    public IEnumerable<Tensor> Values => _entries.Select(entry => entry.Value);

    public Tensor this[string key] => _byKey.TryGetValue(key, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"The state dict has no key '{key}'.");

    public bool ContainsKey(string key) => _byKey.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) =>
        _byKey.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (_, tensor) in _entries)
        {
            tensor.Dispose();
        }
    }
}
