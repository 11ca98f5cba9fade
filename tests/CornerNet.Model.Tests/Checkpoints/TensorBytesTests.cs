using CornerNet.Model.Checkpoints;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Checkpoints;

public class TensorBytesTests
{
    [Fact]
    public void Chunked_copies_address_each_chunk_at_its_own_offset()
    {
        // Tiny chunks exercise the path that multi-gigabyte storages take.
        var source = Enumerable.Range(0, 40).Select(i => (byte)(i * 7)).ToArray();
        using var tensor = empty(10, ScalarType.Float32);

        TensorBytes.Fill(tensor, new MemoryStream(source), chunkBytes: 12);
        var copied = new List<byte>();
        TensorBytes.ForEachChunk(tensor, chunk => copied.AddRange(chunk.ToArray()), chunkBytes: 8);

        Assert.Equal(source, tensor.bytes.ToArray());
        Assert.Equal(source, copied);
    }
}
