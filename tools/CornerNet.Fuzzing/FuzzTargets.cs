using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;

namespace CornerNet.Fuzzing;

/// <summary>
/// What afl-fuzz drives: each target takes one input and returns normally when the product accepted it or refused it
/// the way it documents (a <see cref="CheckpointFormatException"/>, an <see cref="InvalidImageException"/>). Anything
/// else escaping, a native crash, a hang or an input that costs more memory than <see cref="MemoryGuard"/> allows is
/// a finding.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Smaller limits than the service's defaults so that each input costs milliseconds; the parsing is the
    /// same. Made on first use: instrumented product code must not run before SharpFuzz has set up afl's shared memory.</summary>
    private static readonly Lazy<ImageLoader> Loader = new(() => new ImageLoader(new ImageDecodingOptions
    {
        AllowGif = true,
        AllowTiff = true,
        MaxPixelCount = 4_000_000,
        MaxSide = 4_096,
    }));

    /// <summary>The target names fuzz.sh and the tests use, with what each runs.</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> ByName { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["checkpoint"] = Checkpoint,
        ["image"] = Image,
    };

    /// <summary>The checkpoint reader: zip and legacy formats, the restricted unpickler, the storages' bytes.</summary>
    public static void Checkpoint(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            using var stateDict = PyTorchCheckpointReader.Read(stream);
        }
        catch (CheckpointFormatException)
        {
            // The documented refusal (UnsafeCheckpointException included).
        }
    }

    /// <summary>The upload path's decoding: format sniffing, <see cref="ImageHeader"/>'s size checks and the decoders.</summary>
    public static void Image(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            Loader.Value.Load(data, bgr: true);
        }
        catch (InvalidImageException)
        {
            // The documented refusal: undecodable, unsupported or too large (a 400, 415 or 413 in the service).
        }
    }
}
