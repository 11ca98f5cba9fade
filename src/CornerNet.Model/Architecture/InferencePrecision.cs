namespace CornerNet.Model.Architecture;

/// <summary>Number format of the network's weights and activations at inference.</summary>
public enum InferencePrecision
{
    /// <summary>32-bit floats: the authors' results to float rounding.</summary>
    Fp32,

    /// <summary>
    /// bfloat16 weights and activations (8 significant bits), faster on CPUs with AVX-512 BF16 or AMX
    /// (docs/benchmarks.md); the heads' last 1x1 convolutions, the sigmoid and the decoding stay in 32-bit floats.
    /// </summary>
    Bf16,
}
