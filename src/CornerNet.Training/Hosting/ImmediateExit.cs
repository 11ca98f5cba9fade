using System.Runtime.InteropServices;

namespace CornerNet.Training.Hosting;

/// <summary>Ends the process without running exit handlers.</summary>
internal static class ImmediateExit
{
    /// <summary>
    /// For a verb the host left running at its shutdown timeout: it may be inside libtorch, and a normal exit runs
    /// libtorch's static destructors under it, which ends in a segmentation fault instead of the exit code.
    /// </summary>
    public static void With(int exitCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        if (OperatingSystem.IsWindows()) Environment.Exit(exitCode);
        ExitWithoutHandlers(exitCode);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitWithoutHandlers(int status);
}
