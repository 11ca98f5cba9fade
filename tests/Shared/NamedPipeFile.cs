using System.Diagnostics;

namespace CornerNet.Tests.Shared;

/// <summary>A FIFO (named pipe) on disk, made with coreutils' mkfifo: opening one for reading blocks until a writer
/// comes, which is what operator-path checks must not do.</summary>
public static class NamedPipeFile
{
    /// <summary>Makes a FIFO named <paramref name="name"/> in <paramref name="folder"/> and returns its path.</summary>
    public static string Create(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo") { ArgumentList = { path }, UseShellExecute = false })
                           ?? throw new InvalidOperationException("mkfifo did not start");
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0) throw new InvalidOperationException($"mkfifo {path} exited with {mkfifo.ExitCode}");
        return path;
    }
}
