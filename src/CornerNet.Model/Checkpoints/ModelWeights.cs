using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// Moves weights between a network and a state dict by the authors' key names, strictly: every missing key,
/// unexpected key and shape mismatch is reported together.
/// </summary>
public static class ModelWeights
{
    /// <summary>BatchNorm's step counter: PyTorch 0.4 checkpoints (the authors') have none, and inference never needs it.</summary>
    public const string BatchCounterSuffix = ".num_batches_tracked";

    /// <summary>The prefix the authors' DataParallel trainer puts on every key.</summary>
    public const string DataParallelPrefix = "module.";

    /// <summary>The entries as the authors' checkpoints of the network's family hold them: every parameter and buffer
    /// (BatchNorm counters included), each key behind the family's <see cref="ArchitectureSpec.CheckpointKeyPrefix"/>.</summary>
    public static IReadOnlyList<(string Key, Tensor Value)> CheckpointEntries(CornerNetNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var prefix = network.Spec.CheckpointKeyPrefix;
        return [.. Entries(network).Select(e => (prefix + e.Key, e.Value))];
    }

    /// <summary>The most tensor bytes a checkpoint for <paramref name="module"/> can need: every parameter and buffer
    /// stored in double precision (twice our float32), plus 1 MiB. Anything larger cannot load strictly, and is refused
    /// by <see cref="PyTorchCheckpointReader.Read(string, Device?, long?)"/> before a byte of it is decompressed.</summary>
    public static long CheckpointBytesLimit(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var bytes = Entries(module).Sum(entry => entry.Value.NumberOfElements * Math.Max(entry.Value.ElementSize, 4));
        return (2 * bytes) + (1L << 20);
    }

    /// <summary>Parameters and buffers in PyTorch's state-dict order: a module's own parameters, then its own
    /// buffers, then its children in registration order.</summary>
    public static IReadOnlyList<(string Key, Tensor Value)> Entries(nn.Module module, bool includeBatchCounters = true)
    {
        var entries = new List<(string, Tensor)>();
        Collect(module, string.Empty, entries, includeBatchCounters);
        return entries;
    }

    private static void Collect(nn.Module module, string prefix, List<(string, Tensor)> entries, bool includeBatchCounters)
    {
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
        {
            entries.Add((prefix + name, parameter));
        }

        foreach (var (name, buffer) in module.named_buffers(recurse: false))
        {
            if (includeBatchCounters || !name.EndsWith(BatchCounterSuffix.TrimStart('.'), StringComparison.Ordinal))
            {
                entries.Add((prefix + name, buffer));
            }
        }

        foreach (var (name, child) in module.named_children())
        {
            Collect(child, prefix + name + ".", entries, includeBatchCounters);
        }
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="module"/>'s parameters and buffers (converting
    /// device and dtype). Keys may carry the DataParallel <c>module.</c> prefix. Throws
    /// <see cref="CheckpointMismatchException"/> listing every problem when <paramref name="strict"/>.</summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        var stripPrefix = source.Count > 0 && source.Keys.All(k => k.StartsWith(DataParallelPrefix, StringComparison.Ordinal));
        var byKey = source.ToDictionary(kv => stripPrefix ? kv.Key[DataParallelPrefix.Length..] : kv.Key, kv => kv.Value);
        var targets = Entries(module);

        var missing = new List<string>();
        var mismatched = new List<string>();
        foreach (var (key, target) in targets)
        {
            if (!byKey.TryGetValue(key, out var value))
            {
                if (!key.EndsWith(BatchCounterSuffix, StringComparison.Ordinal)) missing.Add(key);
            }
            else if (!value.shape.SequenceEqual(target.shape))
            {
                mismatched.Add($"{key}: checkpoint {Describe(value.shape)}, model {Describe(target.shape)}");
            }
        }

        var known = targets.Select(t => t.Key).ToHashSet();
        var unexpected = byKey.Keys.Where(k => !known.Contains(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0))
        {
            throw new CheckpointMismatchException(missing, unexpected, mismatched);
        }

        RefuseNonFinite(targets.Select(t => t.Key).Where(byKey.ContainsKey).Select(key => (key, byKey[key])));

        using var noGrad = no_grad();
        foreach (var (key, target) in targets)
        {
            if (byKey.TryGetValue(key, out var value) && value.shape.SequenceEqual(target.shape))
            {
                target.copy_(value);
            }
        }
    }

    /// <summary>
    /// A NaN or an infinity in any weight (a diverged training run, a corrupted file) would load, report ready and then
    /// fail every request; it is refused here, naming the first tensors that hold one.
    /// </summary>
    private static void RefuseNonFinite(IEnumerable<(string Key, Tensor Value)> tensors)
    {
        using var scope = NewDisposeScope();
        var bad = tensors
            .Where(t => t.Value.is_floating_point() && !isfinite(t.Value).all().item<bool>())
            .Select(t => t.Key)
            .ToList();
        if (bad.Count == 0) return;
        var named = string.Join(", ", bad.Take(3)) + (bad.Count > 3 ? $" and {bad.Count - 3} more" : "");
        throw new CheckpointFormatException(
            $"The checkpoint holds non-finite values (NaN or infinity) in {named}: a diverged or corrupted model cannot be served.");
    }

    /// <summary>"256x128x3x3"; a 0-dim tensor is "scalar".</summary>
    public static string Describe(long[] shape) => shape.Length == 0 ? "scalar" : string.Join("x", shape);
}
