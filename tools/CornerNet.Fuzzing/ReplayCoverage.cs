using System.Runtime.InteropServices;

namespace CornerNet.Fuzzing;

/// <summary>
/// Code instrumented by sharpfuzz records each branch in afl's shared memory, which only exists under afl-fuzz; a
/// replay outside it (of a finding, or of the seeds) gets a private buffer of the same size instead.
/// </summary>
internal static class ReplayCoverage
{
    /// <summary>afl's coverage map size, as SharpFuzz uses it.</summary>
    private const int MapSize = 1 << 16;

    public static unsafe void Provide()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
        }
    }
}
