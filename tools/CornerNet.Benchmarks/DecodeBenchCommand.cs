using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CornerNet.Model.Inference;
using CornerNet.Tools.Common;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Benchmarks;

/// <summary>
/// <c>decode [--image FILE] [--calls N]</c>: the image decoder's cost, <see cref="ImageLoader"/> (OpenCV) against
/// ImageSharp 2.1.13 (the decoder before it, one thread, BGR bytes copied out the same way), interleaved call by call so
/// that both see the same machine load, with <see cref="ImageLoader.Inspect"/> alone (the checks a decode starts with). Prints the median and fastest wall and thread-CPU milliseconds per decode. Thread
/// CPU time (CLOCK_THREAD_CPUTIME_ID) is what the decode itself costs, and barely moves when other processes load the
/// machine; wall time does. Without --image: bench's generated 640x480 image as a quality-90 JPEG.
/// </summary>
public static class DecodeBenchCommand
{
    public static Command Create()
    {
        var image = new Option<string?>("--image") { Description = "Encoded image to decode (default: bench's generated 640x480 image as JPEG)." };
        var calls = new Option<int>("--calls") { Description = "Timed calls per decoder.", DefaultValueFactory = _ => 200 };
        var command = new Command("decode", "Time image decoding: ImageLoader (OpenCV) against ImageSharp.") { image, calls };
        command.SetAction(parse =>
        {
            int count = parse.GetValue(calls);
            if (count < 1)
            {
                Console.Error.WriteLine($"decode: --calls must be at least 1 (got {count}).");
                return 2;
            }

            var path = parse.GetValue(image);
            var bytes = path is null ? GeneratedPicture.Jpeg(640, 480) : File.ReadAllBytes(path);
            Run(bytes, path ?? "generated 640x480, ImageSharp JPEG quality 90", count, Console.Out);
            return 0;
        });
        return command;
    }

    public static void Run(byte[] encoded, string name, int calls, TextWriter output)
    {
        var loader = new ImageLoader();
        var imageSharp = SixLabors.ImageSharp.Configuration.Default.Clone();
        imageSharp.MaxDegreeOfParallelism = 1;
        var decoders = new (string Name, Func<byte[], int> Decode)[]
        {
            ("ImageLoader (OpenCV 4.13)", bytes => loader.Load(bytes, bgr: true).Pixels.Length),
            ("ImageSharp 2.1.13", bytes => ImageSharpBgr(imageSharp, bytes).Length),
            // What the loader's checks before decoding cost alone (header, size, and for PNG the inflate that proves
            // every declared row is there): part of the ImageLoader line above.
            ("  of which Inspect (checks)", bytes => loader.Inspect(bytes).Width),
        };
        foreach (var (_, decode) in decoders)
        {
            Warmup.Run(() => decode(encoded), Warmup.TieredCompilationCalls, TimeSpan.FromSeconds(1));
        }

        var wall = decoders.Select(_ => new double[calls]).ToArray();
        var cpu = decoders.Select(_ => new double[calls]).ToArray();
        for (int i = 0; i < calls; i++)
        {
            for (int d = 0; d < decoders.Length; d++)
            {
                double cpuStarted = CpuClock.ThreadMilliseconds();
                long started = Stopwatch.GetTimestamp();
                decoders[d].Decode(encoded);
                wall[d][i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                cpu[d][i] = CpuClock.ThreadMilliseconds() - cpuStarted;
            }
        }

        output.WriteLine($"decode {name} ({encoded.Length} bytes), {calls} calls each, interleaved; milliseconds per decode:");
        for (int d = 0; d < decoders.Length; d++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {decoders[d].Name,-26} thread CPU median {Median(cpu[d]):F2} fastest {cpu[d].Min():F2}   wall median {Median(wall[d]):F2} fastest {wall[d].Min():F2}"));
        }
    }

    /// <summary>What the loader did before OpenCV: ImageSharp on one thread, rows copied out as BGR.</summary>
    private static byte[] ImageSharpBgr(SixLabors.ImageSharp.Configuration configuration, byte[] encoded)
    {
        using var image = SixLabors.ImageSharp.Image.Load<Rgb24>(configuration, encoded);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        for (int o = 0; o < pixels.Length; o += 3) (pixels[o], pixels[o + 2]) = (pixels[o + 2], pixels[o]);
        return pixels;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
