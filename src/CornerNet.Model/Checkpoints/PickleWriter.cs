using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// Writes the protocol-2 pickle torch.load expects in a zip checkpoint's data.pkl: an OrderedDict whose values are
/// <c>torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())</c>.
/// </summary>
internal sealed class PickleWriter : IDisposable
{
    private readonly MemoryStream _output = new();

    public void Dispose() => _output.Dispose();

    /// <summary>One tensor: its key, element type, shape, and the storage key it is written under.</summary>
    public sealed record TensorEntry(string Key, ScalarType DataType, long[] Shape, string StorageKey);

    public static byte[] StateDict(IEnumerable<TensorEntry> tensors)
    {
        using var writer = new PickleWriter();
        writer.Opcode(0x80); // PROTO
        writer.Opcode(2);
        writer.EmptyOrderedDict();
        foreach (var tensor in tensors)
        {
            writer.Text(tensor.Key);
            writer.Tensor(tensor);
            writer.Opcode((byte)'s'); // SETITEM
        }

        writer.Opcode((byte)'.'); // STOP
        return writer._output.ToArray();
    }

    private void Tensor(TensorEntry tensor)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Opcode((byte)'('); // MARK: the argument tuple

        Opcode((byte)'('); // MARK: the persistent id ('storage', type, key, location, numel)
        Text("storage");
        Global("torch", TorchDataTypes.StorageName(tensor.DataType));
        Text(tensor.StorageKey);
        Text("cpu");
        Integer(tensor.Shape.Aggregate(1L, (product, size) => product * size));
        Opcode((byte)'t'); // TUPLE
        Opcode((byte)'Q'); // BINPERSID

        Integer(0); // storage offset
        Tuple(tensor.Shape);
        Tuple(ContiguousStrides(tensor.Shape));
        Opcode(0x89); // NEWFALSE: requires_grad
        EmptyOrderedDict(); // backward hooks
        Opcode((byte)'t'); // TUPLE
        Opcode((byte)'R'); // REDUCE
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var dimension = shape.Length - 1; dimension >= 0; dimension--)
        {
            strides[dimension] = stride;
            stride *= Math.Max(shape[dimension], 1);
        }

        return strides;
    }

    private void EmptyOrderedDict()
    {
        Global("collections", "OrderedDict");
        Opcode((byte)')'); // EMPTY_TUPLE
        Opcode((byte)'R'); // REDUCE
    }

    private void Tuple(long[] values)
    {
        Opcode((byte)'(');
        foreach (var value in values) Integer(value);
        Opcode((byte)'t');
    }

    private void Global(string module, string name)
    {
        Opcode((byte)'c');
        _output.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private void Text(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Opcode((byte)'X'); // BINUNICODE
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
        _output.Write(length);
        _output.Write(bytes);
    }

    private void Integer(long value)
    {
        Span<byte> buffer = stackalloc byte[8];
        if (value is >= 0 and <= byte.MaxValue)
        {
            Opcode((byte)'K'); // BININT1
            _output.WriteByte((byte)value);
        }
        else if (value is >= 0 and <= ushort.MaxValue)
        {
            Opcode((byte)'M'); // BININT2
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)value);
            _output.Write(buffer[..2]);
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            Opcode((byte)'J'); // BININT
            BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)value);
            _output.Write(buffer[..4]);
        }
        else
        {
            Opcode(0x8a); // LONG1: 8 bytes of two's complement
            _output.WriteByte(8);
            BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
            _output.Write(buffer);
        }
    }

    private void Opcode(byte opcode) => _output.WriteByte(opcode);
}
