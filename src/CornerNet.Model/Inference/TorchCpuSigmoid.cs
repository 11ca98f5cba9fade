using System.Runtime.CompilerServices;

namespace CornerNet.Model.Inference;

/// <summary>
/// The float sigmoid exactly as libtorch's vectorised CPU kernel computes it, 1 / (1 + exp(-x)) with SLEEF's
/// 1-ulp single-precision exp (FMA variant). The C library's expf differs from it in the last bit for a few
/// percent of inputs, and the decoder's peak test, ranking and tie order all depend on exact float equality.
/// </summary>
/// <remarks>
/// Elements that libtorch happens to process in a kernel's scalar remainder (the elements of a thread's range
/// after its last two-vector step, fewer than 32 with AVX-512) use the C library's expf instead; for network-sized
/// heatmaps every element takes the vector path. A libtorch built or dispatched differently (no FMA, another
/// exp) is caught by <see cref="ManagedDecoderSelfCheck"/>.
/// </remarks>
internal static class TorchCpuSigmoid
{
    // Cody–Waite split of ln 2 and the minimax polynomial of SLEEF's xexpf (u10); the numeric constants are
    // SLEEF's (Boost Software License 1.0), the code is ours.
    private const float InverseLn2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
    private const float Ln2High = 0.693145751953125f;
    private const float Ln2Low = 1.428606765330187045e-06f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + Exp(0f - x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float d)
    {
        if (float.IsNaN(d)) return d;
        if (d < -104f) return 0f;
        if (d > 100f) return float.PositiveInfinity;
        int q = (int)MathF.Round(d * InverseLn2); // ties to even, like cvtps2dq
        float s = MathF.FusedMultiplyAdd(q, -Ln2High, d);
        s = MathF.FusedMultiplyAdd(q, -Ln2Low, s);

        float u = 0.000198527617612853646278381f;
        u = MathF.FusedMultiplyAdd(u, s, 0.00139304355252534151077271f);
        u = MathF.FusedMultiplyAdd(u, s, 0.00833336077630519866943359f);
        u = MathF.FusedMultiplyAdd(u, s, 0.0416664853692054748535156f);
        u = MathF.FusedMultiplyAdd(u, s, 0.166666671633720397949219f);
        u = MathF.FusedMultiplyAdd(u, s, 0.5f);
        u = 1f + MathF.FusedMultiplyAdd(s * s, u, s);

        // ldexp in two steps, as SLEEF does, so that results near the subnormal range round the same way.
        int half = q >> 1;
        return u * PowerOfTwo(half) * PowerOfTwo(q - half);
    }

    private static float PowerOfTwo(int exponent) => BitConverter.Int32BitsToSingle((exponent + 127) << 23);
}
