namespace CornerNet.Model.Data;

/// <summary>
/// SplitMix64, a tiny PRNG with a published algorithm, so generated data stays byte-identical across .NET
/// versions (System.Random's seeded sequence is an implementation detail).
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A stream for one item of a seeded collection: independent of how many items came before.</summary>
    public static SplitMix64 ForItem(ulong seed, long item) => new(Mix(Mix(seed) ^ (ulong)item));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double NextDouble(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform integer in [min, maxInclusive].</summary>
    public int NextInt(int min, int maxInclusive) =>
        min + (int)(((UInt128)NextUInt64() * (ulong)((long)maxInclusive - min + 1)) >> 64);

    public bool NextBool(double probability) => NextDouble() < probability;

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
