using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>One checkpoint file format: the unpickled top-level object, and a way to read the storages it names.</summary>
internal interface ICheckpointSource
{
    object? Root { get; }

    /// <summary>Reads each needed storage into a 1-D CPU tensor and hands it to <paramref name="onStorage"/>, which
    /// must not keep it: the tensor is disposed afterwards.</summary>
    void ReadStorages(IReadOnlySet<StorageRecord> needed, Action<StorageRecord, Tensor> onStorage);
}
