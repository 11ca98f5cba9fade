using CornerNet.Model.Data;

namespace CornerNet.Training.Trainer;

/// <summary>
/// Which image fills which batch slot, and the random generator that augments it, as pure functions of
/// (seed, iteration, slot): a resumed run sees exactly the samples an uninterrupted run would have seen.
/// Every epoch visits every image once, in an order shuffled by (seed, epoch).
/// </summary>
public sealed class TrainingSampleOrder(int imageCount, int batchSize, int seed)
{
    private long _epoch = -1;
    private int[] _permutation = [];

    /// <summary>Index of the image in <paramref name="slot"/> of <paramref name="iteration"/>'s batch; not thread-safe.</summary>
    public int ImageIndex(int iteration, int slot)
    {
        var position = (long)iteration * batchSize + slot;
        var epoch = position / imageCount;
        if (epoch != _epoch)
        {
            _permutation = Shuffle(epoch);
            _epoch = epoch;
        }

        return _permutation[position % imageCount];
    }

    /// <summary>The augmentation generator of one batch slot.</summary>
    public Random RandomFor(int iteration, int slot)
    {
        var stream = SplitMix64.ForItem(SplitMix64.ForItem((ulong)seed, iteration).NextUInt64(), slot);
        return new Random((int)(stream.NextUInt64() & int.MaxValue));
    }

    private int[] Shuffle(long epoch)
    {
        var order = Enumerable.Range(0, imageCount).ToArray();
        var random = SplitMix64.ForItem((ulong)seed ^ 0x5EED_0F_E90C4UL, epoch);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(0, i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}
