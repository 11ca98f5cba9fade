namespace CornerNet.Model.Inference;

/// <summary>Wall-clock time spent in each pipeline stage of one call, summed over its batches and scales.</summary>
public sealed record StageTimings(TimeSpan Preprocess, TimeSpan Forward, TimeSpan Decode, TimeSpan Nms)
{
    public TimeSpan Total => Preprocess + Forward + Decode + Nms;

    public override string ToString() =>
        $"preprocess {Preprocess.TotalMilliseconds:F2} ms, forward {Forward.TotalMilliseconds:F2} ms, decode {Decode.TotalMilliseconds:F2} ms, nms {Nms.TotalMilliseconds:F2} ms";
}
