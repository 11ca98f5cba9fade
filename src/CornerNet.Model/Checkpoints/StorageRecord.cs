using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>A storage named by a pickle's persistent id: its key in the file, element type and element count.</summary>
internal sealed record StorageRecord(string Key, ScalarType DataType, long ElementCount)
{
    public long ByteCount => checked(ElementCount * TorchDataTypes.ElementSize(DataType));
}
