using CornerNet.Model.Inference;
using TorchSharp;

namespace CornerNet.Service.Modeling;

/// <summary>The corner decoder the loaded model runs, and why: logged at start, exported as
/// <c>cornernet_decoder_info</c> and shown in GET /model.</summary>
public sealed record DecoderInUse(CornerDecoderKind Kind, DeviceType Device, bool ManagedSelfCheckPassed)
{
    public const string ManagedName = "managed";
    public const string TorchOpsName = "torch";

    /// <summary>The decoder for the float32 heads the network returns on this device.</summary>
    public static DecoderInUse For(DeviceType device) =>
        new(CornerDecoderSelection.For(device), device, CornerDecoderSelection.ManagedSelfCheckPassed);

    public string Name => Kind == CornerDecoderKind.Managed ? ManagedName : TorchOpsName;

    /// <summary>True when the CPU decodes with torch operations because this libtorch failed the managed decoder's
    /// self-check: several hundred times slower decoding (docs/performance-notes.md).</summary>
    public bool IsSlowFallback => Kind == CornerDecoderKind.TorchOps && Device == DeviceType.CPU;

    public string Reason => (Kind, IsSlowFallback) switch
    {
        (CornerDecoderKind.Managed, _) => "float32 heads in CPU memory, and this libtorch passed the managed decoder's self-check",
        (_, true) => "this libtorch failed the managed decoder's self-check (its sigmoid or topk tie order differs), so the CPU decodes with torch operations, several hundred times slower",
        _ => $"the heads are on {Device}, where torch operations decode them",
    };
}
