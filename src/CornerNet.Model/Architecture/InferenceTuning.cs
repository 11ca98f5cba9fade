namespace CornerNet.Model.Architecture;

/// <summary>
/// How <see cref="CornerNetNetwork.PrepareForInference"/> rewrites a loaded network for inference. Every choice but
/// <see cref="Precision"/> is exact to float rounding; the defaults are the fastest exact setting.
/// </summary>
public sealed record InferenceTuning
{
    /// <summary>The fastest exact setting: BatchNorm folded, channels-last, fp32.</summary>
    public static InferenceTuning Default { get; } = new();

    /// <summary>The network as trained: nothing folded, contiguous NCHW, fp32, malloc untouched (for measuring what
    /// the others gain; malloc's setting cannot be undone once another network in the process changed it).</summary>
    public static InferenceTuning AsTrained { get; } = new() { FoldBatchNorm = false, ChannelsLast = false, FuseConvolutions = false, ReuseFreedMemory = false };

    /// <summary>Fold each BatchNorm's running statistics into the convolution before it (one pass less per layer).</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>
    /// Keep activations channels-last (NHWC strides): libtorch's oneDNN convolutions run about twice as fast on CPU
    /// this way than on NCHW tensors, which they reorder on every call.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>
    /// Run each convolution with the ReLU after it as one oneDNN call where
    /// <see cref="FusedConvolution"/> applies (needs <see cref="FoldBatchNorm"/> and <see cref="ChannelsLast"/>):
    /// one memory pass less per such layer. Exact in fp32. Off by default: no gain was measured yet (docs/performance-notes.md).
    /// </summary>
    public bool FuseConvolutions { get; init; }

    /// <summary>Keep memory libtorch frees for its next allocation (see <see cref="HeapReuse"/>; process-wide).</summary>
    public bool ReuseFreedMemory { get; init; } = true;

    /// <summary>Number format of weights and activations.</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Fp32;

    public override string ToString() =>
        $"{Precision.ToString().ToLowerInvariant()}, {(ChannelsLast ? "channels-last" : "NCHW")}, BatchNorm {(FoldBatchNorm ? "folded" : "kept")}" +
        (FuseConvolutions ? ", conv+ReLU fused" : "") +
        (ReuseFreedMemory ? "" : ", freed memory returned");
}
