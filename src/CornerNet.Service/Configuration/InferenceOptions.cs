using System.ComponentModel.DataAnnotations;
using CornerNet.Model.Architecture;

namespace CornerNet.Service.Configuration;

/// <summary>How the loaded network is rewritten for inference (see <see cref="InferenceTuning"/>).</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>fp32 (exact) or bf16 (faster on CPUs with AVX-512 BF16; detections differ slightly; measured in
    /// docs/benchmarks.md).</summary>
    [Required]
    [RegularExpression("^(?i:fp32|bf16)$", ErrorMessage = "Inference:Precision must be fp32 or bf16.")]
    public string Precision { get; set; } = "fp32";

    /// <summary>Fold BatchNorm into the convolutions at load (exact; turn off only to measure it).</summary>
    public bool FoldBatchNorm { get; set; } = true;

    /// <summary>Run convolutions on channels-last tensors (exact; turn off only to measure it).</summary>
    public bool ChannelsLast { get; set; } = true;

    /// <summary>Run each convolution with the ReLU after it as one oneDNN call (exact in fp32;
    /// off by default until a gain is measured; see docs/performance-notes.md).</summary>
    public bool FuseConvolutions { get; set; }

    /// <summary>Keep memory libtorch frees in malloc's heap (faster forward passes on CPU, measured in
    /// docs/benchmarks.md; the process keeps its peak working set resident). Process-wide, Linux/glibc only.</summary>
    public bool ReuseFreedMemory { get; set; } = true;

    /// <summary>Seconds without a request in flight after which the process hands back the memory it no longer needs
    /// (a compacting garbage collection and malloc_trim), once per idle spell; 0 never does.</summary>
    [Range(0, 86_400)]
    public int TrimMemoryWhenIdleSeconds { get; set; } = 10;

    public InferenceTuning ToTuning() => new()
    {
        Precision = InferencePrecisions.Parse(Precision),
        FoldBatchNorm = FoldBatchNorm,
        ChannelsLast = ChannelsLast,
        FuseConvolutions = FuseConvolutions,
        ReuseFreedMemory = ReuseFreedMemory,
    };
}
