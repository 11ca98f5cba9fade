using CornerNet.Service.Batching;

namespace CornerNet.Service.Tests.Batching;

/// <summary>The batch size cap from measured times per image (a fake model whose batch times are given).</summary>
public sealed class BatchSizeProfileTests
{
    /// <summary>Runs nothing; the timer reports the time the fake model takes for the batch size last run.</summary>
    private static BatchSizeProfile Profile(int maxBatchSize, Func<int, double> batchMs, List<int>? ran = null)
    {
        var last = 0;
        return BatchSizeProfile.Measure(maxBatchSize,
            size => { last = size; ran?.Add(size); },
            action => { action(); return TimeSpan.FromMilliseconds(batchMs(last)); });
    }

    [Fact]
    public void Batches_are_capped_where_larger_ones_get_slower_per_image()
    {
        // Like hourglass-104 on this CPU: 2 images take more than twice one.
        var ran = new List<int>();
        var profile = Profile(4, size => size == 1 ? 100 : 250 * size / 2.0, ran);
        Assert.Equal(1, profile.Cap);
        Assert.DoesNotContain(4, ran);
        Assert.Equal(TimeSpan.FromMilliseconds(100), profile.PerImage);
    }

    [Fact]
    public void The_largest_batch_runs_when_it_is_clearly_cheaper_per_image()
    {
        var profile = Profile(8, size => 30 + 10 * size);
        Assert.Equal(8, profile.Cap);
        Assert.Equal([1, 2, 4, 8], profile.Measured.Select(m => m.Size));
    }

    [Fact]
    public void A_smaller_batch_within_the_tolerance_of_the_best_is_preferred()
    {
        // 4 is 2 % cheaper per image than 2: not worth the latency.
        var profile = Profile(4, size => size switch { 1 => 40, 2 => 50, _ => 98 });
        Assert.Equal(2, profile.Cap);
    }

    [Fact]
    public void The_fastest_of_repeated_timings_counts()
    {
        // A burst of other work slows the first timing of batch 2 only.
        var calls = 0;
        var last = 0;
        var profile = BatchSizeProfile.Measure(2, size => last = size,
            action => { action(); calls++; return TimeSpan.FromMilliseconds(last == 2 && calls == 4 ? 500 : 20 * last + 10); });
        Assert.Equal(2, profile.Cap);
        Assert.Equal(TimeSpan.FromMilliseconds(25), profile.Measured.Single(m => m.Size == 2).PerImage);
    }

    [Fact]
    public void A_slow_model_is_timed_once_per_size()
    {
        var ran = new List<int>();
        Profile(2, size => 2000 * size * 0.9, ran);
        Assert.Equal([1, 2], ran);
    }
}
