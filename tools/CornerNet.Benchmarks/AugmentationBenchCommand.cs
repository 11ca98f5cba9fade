using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CornerNet.Model.Training;
using CornerNet.Tools.Common;

namespace CornerNet.Benchmarks;

/// <summary>
/// <c>augment [--iterations N]</c>: the training loader's cost per sample, a 640x480 image with one box augmented to the
/// authors' 511x511 input with every step on (random scale and crop, flip, colour jitter and lighting). The loader
/// thread must stay ahead of the training step, so this is its budget (median and slowest milliseconds per sample).
/// </summary>
public static class AugmentationBenchCommand
{
    public static Command Create()
    {
        var iterations = new Option<int>("--iterations") { Description = "Timed samples (each with its own seed).", DefaultValueFactory = _ => 50 };
        var command = new Command("augment", "Time the training augmentation of one 640x480 sample to 511x511.") { iterations };
        command.SetAction(parse =>
        {
            int count = parse.GetValue(iterations);
            if (count < 1)
            {
                Console.Error.WriteLine($"augment: --iterations must be at least 1 (got {count}).");
                return 2;
            }

            Run(count, Console.Out);
            return 0;
        });
        return command;
    }

    /// <summary>Returns the milliseconds per sample, in seed order.</summary>
    public static double[] Run(int iterations, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var image = new byte[640 * 480 * 3];
        new Random(3).NextBytes(image);
        var augmenter = new TrainingAugmenter(new AugmentationOptions { InputHeight = 511, InputWidth = 511 });
        TrainingBox[] boxes = [new TrainingBox(100, 100, 300, 200, 0)];
        int seed = 0;
        Warmup.Run(() => augmenter.Augment(image, 640, 480, boxes, seed++), Warmup.TieredCompilationCalls, TimeSpan.FromSeconds(1));

        var milliseconds = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            long started = Stopwatch.GetTimestamp();
            augmenter.Augment(image, 640, 480, boxes, 1_000 + i);
            milliseconds[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        var sorted = milliseconds.Order().ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training augmentation, 640x480 -> 511x511, every step on: median {sorted[sorted.Length / 2]:F1} ms, slowest {sorted[^1]:F1} ms per sample ({iterations} samples)"));
        return milliseconds;
    }
}
