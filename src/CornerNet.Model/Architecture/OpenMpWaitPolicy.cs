using System.Runtime.InteropServices;

namespace CornerNet.Model.Architecture;

/// <summary>
/// libtorch's OpenMP threads (libgomp) by default spin after each parallel region before they sleep. CornerNet-Squeeze
/// runs some 600 small operators per image, alternating between oneDNN convolutions and ATen kernels; on a 2-core
/// machine that other processes also use, the spinning threads take the cores from the threads with work: a fire
/// module at 64x96x256 was measured at 150-250 ms with the default policy and 6 ms with <c>OMP_WAIT_POLICY=PASSIVE</c>
/// (docs/cornernet-squeeze.md). libgomp reads the variable once, when libtorch is loaded, so this must run before the
/// first tensor operation of the process. An explicit OMP_WAIT_POLICY in the environment is left as it is.
/// </summary>
public static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE for this process (the native environment libgomp reads) and for the
    /// processes it starts, unless it is already set. Returns the policy in force.</summary>
    public static string PreferPassive()
    {
        var current = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(current)) return current;
        Environment.SetEnvironmentVariable(Variable, "PASSIVE");
        if ((OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && SetNative(Variable, "PASSIVE", overwrite: 0) != 0)
        {
            // Only the processes started from here get it; libtorch keeps libgomp's default.
            return "default (setenv failed)";
        }

        return "PASSIVE";
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetNative([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);
}
