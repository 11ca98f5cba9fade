namespace CornerNet.Model.Training.Saccade;

/// <summary>The sampler's draws from a <see cref="Random"/> (not thread-safe, as the generator).</summary>
public sealed class RandomDraws(Random random) : ISamplingDraws
{
    private readonly Random _random = random ?? throw new ArgumentNullException(nameof(random));

    public double Uniform() => _random.NextDouble();

    public int RandInt(int low, int high) => _random.Next(low, high);
}
