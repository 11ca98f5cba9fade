namespace CornerNet.Model.Checkpoints;

/// <summary>A Python dict or OrderedDict from a pickle, in insertion order. A later assignment to an existing
/// primitive key replaces the value in place, as Python does.</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _entries = [];
    private readonly Dictionary<object, int> _indexOfPrimitiveKey = [];

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    public void Set(object? key, object? value)
    {
        if (key is string or long or bool or double && _indexOfPrimitiveKey.TryGetValue(key, out var index))
        {
            _entries[index] = new(key, value);
            return;
        }

        if (key is string or long or bool or double)
        {
            _indexOfPrimitiveKey[key] = _entries.Count;
        }

        _entries.Add(new(key, value));
    }

    public bool TryGet(string key, out object? value)
    {
        if (_indexOfPrimitiveKey.TryGetValue(key, out var index))
        {
            value = _entries[index].Value;
            return true;
        }

        value = null;
        return false;
    }
}
