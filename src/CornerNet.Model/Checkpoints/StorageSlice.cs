namespace CornerNet.Model.Checkpoints;

/// <summary>A run of elements of a storage (the whole storage, or a legacy storage view), as a tensor sees it.</summary>
internal sealed record StorageSlice(StorageRecord Storage, long ElementOffset, long ElementCount);
