namespace CornerNet.Service.Batching;

/// <summary>
/// A moving estimate of the model's time per image (exponentially weighted over recent batches), seeded at start-up by
/// <see cref="BatchSizeProfile"/>. Written by the batching worker, read by admission on request threads.
/// </summary>
public sealed class ImageTimeEstimate
{
    /// <summary>Weight of the newest batch.</summary>
    public const double Smoothing = 0.25;

    private long _ticksPerImage;

    /// <summary>Zero until the first measurement.</summary>
    public TimeSpan PerImage => TimeSpan.FromTicks(Interlocked.Read(ref _ticksPerImage));

    public void Record(int images, TimeSpan elapsed)
    {
        if (images < 1 || elapsed <= TimeSpan.Zero) return;
        var sample = elapsed.Ticks / (double)images;
        var previous = Interlocked.Read(ref _ticksPerImage);
        var next = previous == 0 ? sample : previous + Smoothing * (sample - previous);
        Interlocked.Exchange(ref _ticksPerImage, (long)next);
    }
}
