using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Inference;

/// <summary>Which implementation <see cref="CornerDecoder.Decode"/> runs.</summary>
public enum CornerDecoderKind
{
    /// <summary>Managed code over the heads' host memory (float32 heads on the CPU, when the self-check passed).</summary>
    Managed,

    /// <summary>Torch operations on the heads' device: other devices, or a libtorch the managed decoder's self-check
    /// rejected (several hundred times slower on the CPU: docs/benchmarks.md).</summary>
    TorchOps,
}

/// <summary>The one rule for choosing the corner decoder, shared by the decoder and whoever reports it.</summary>
public static class CornerDecoderSelection
{
    /// <summary>Whether this libtorch computes the sigmoid and orders topk ties as the managed decoder assumes
    /// (checked once per process, on first use).</summary>
    public static bool ManagedSelfCheckPassed => ManagedDecoderSelfCheck.Passed;

    /// <summary>The decoder used for heads of this type on this kind of device.</summary>
    public static CornerDecoderKind For(DeviceType device, ScalarType heads = ScalarType.Float32) =>
        device == DeviceType.CPU && heads == ScalarType.Float32 && ManagedSelfCheckPassed ? CornerDecoderKind.Managed : CornerDecoderKind.TorchOps;
}
