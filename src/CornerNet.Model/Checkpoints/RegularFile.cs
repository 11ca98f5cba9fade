using System.Runtime.InteropServices;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// Checks that a path an operator gave (weights, an architecture file, annotations) is a regular file before anything
/// opens it: opening a FIFO for reading blocks until a writer comes (start-up would hang, deaf to SIGTERM), a device
/// such as /dev/zero never ends, and a directory is not "missing". Symbolic links are followed. The message names the
/// path and what it is, never the file's content.
/// </summary>
public static class RegularFile
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const int StatxBufferSize = 256;
    private const int StatxModeOffset = 28;
    private const int NoSuchFile = 2;
    private const int NotADirectory = 20;

    /// <summary>What a path points at, after following symbolic links.</summary>
    public enum Kind
    {
        Missing,
        Regular,
        Directory,
        Fifo,
        CharacterDevice,
        BlockDevice,
        Socket,
        /// <summary>The type could not be read (no permission to look, or no statx on this system).</summary>
        Unknown,
    }

    /// <summary>Throws unless <paramref name="path"/> is a regular file (or a link to one).</summary>
    /// <param name="path">The path as configured.</param>
    /// <param name="what">What the file is, for the message: "Model:Weights file", "Checkpoint".</param>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="IOException">It is a directory, a FIFO, a device or a socket.</exception>
    public static void Require(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        var kind = KindOf(path);
        switch (kind)
        {
            case Kind.Regular:
            case Kind.Unknown: // let opening it report what is wrong (e.g. permission denied)
                return;
            case Kind.Missing:
                throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
            default:
                throw new IOException($"{what} '{path}' is {Describe(kind)}, not a regular file.");
        }
    }

    /// <summary>What <paramref name="path"/> is, from its file-type bits (Linux statx), without opening it.</summary>
    public static Kind KindOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux()) return Fallback(path);
        var buffer = new byte[StatxBufferSize];
        int result;
        try
        {
            result = Statx(AtCurrentDirectory, path, 0, StatxType, buffer);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return Fallback(path);
        }

        if (result != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error is NoSuchFile or NotADirectory ? Kind.Missing : Kind.Unknown;
        }

        var mode = BitConverter.ToUInt16(buffer, StatxModeOffset);
        return (mode & 0xF000) switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            0x1000 => Kind.Fifo,
            0x2000 => Kind.CharacterDevice,
            0x6000 => Kind.BlockDevice,
            0xC000 => Kind.Socket,
            _ => Kind.Unknown,
        };
    }

    /// <summary>"a directory", "a FIFO (named pipe)", ...</summary>
    public static string Describe(Kind kind) => kind switch
    {
        Kind.Missing => "missing",
        Kind.Regular => "a regular file",
        Kind.Directory => "a directory",
        Kind.Fifo => "a FIFO (named pipe)",
        Kind.CharacterDevice => "a character device",
        Kind.BlockDevice => "a block device",
        Kind.Socket => "a socket",
        _ => "of an unknown type",
    };

    private static Kind Fallback(string path) =>
        Directory.Exists(path) ? Kind.Directory : File.Exists(path) ? Kind.Regular : Kind.Missing;

    /// <summary>statx(2): its buffer layout is the same on every Linux architecture (unlike stat's).</summary>
    [DllImport("libc", EntryPoint = "statx", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);
}
