using CornerNet.Service.Batching;

namespace CornerNet.Service.Tests.Batching;

/// <summary>When images are held back for company and when they run at once.</summary>
public sealed class BatchPolicyTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(10);

    [Fact]
    public void A_lone_image_runs_at_once_when_images_arrive_further_apart_than_the_delay()
    {
        var policy = new BatchPolicy(4, Delay);
        // One client at a time: an image every 40 ms.
        Assert.Equal(TimeSpan.Zero, policy.HoldFor(1, TimeSpan.Zero, TimeSpan.FromMilliseconds(40)));
    }

    [Fact]
    public void Nothing_is_held_back_before_the_arrivals_are_known()
    {
        Assert.Equal(TimeSpan.Zero, new BatchPolicy(4, Delay).HoldFor(1, TimeSpan.Zero, null));
    }

    [Fact]
    public void Images_are_held_for_what_is_left_of_the_delay_when_the_batch_can_fill_in_time()
    {
        var policy = new BatchPolicy(4, Delay);
        // Three more needed, arriving 2 ms apart: 6 ms, within the 7 ms left.
        Assert.Equal(TimeSpan.FromMilliseconds(7), policy.HoldFor(1, TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(2)));
        // Only 4 ms left: they would not all arrive.
        Assert.Equal(TimeSpan.Zero, policy.HoldFor(1, TimeSpan.FromMilliseconds(6), TimeSpan.FromMilliseconds(2)));
    }

    [Fact]
    public void A_full_batch_or_an_image_that_already_waited_the_delay_runs_at_once()
    {
        var policy = new BatchPolicy(4, Delay);
        var closeTogether = TimeSpan.FromMilliseconds(0.1);
        Assert.Equal(TimeSpan.Zero, policy.HoldFor(4, TimeSpan.Zero, closeTogether));
        Assert.Equal(TimeSpan.Zero, policy.HoldFor(2, Delay, closeTogether));
        Assert.Equal(TimeSpan.Zero, new BatchPolicy(1, Delay).HoldFor(1, TimeSpan.Zero, closeTogether));
        Assert.Equal(TimeSpan.Zero, new BatchPolicy(4, TimeSpan.Zero).HoldFor(1, TimeSpan.Zero, closeTogether));
    }
}
