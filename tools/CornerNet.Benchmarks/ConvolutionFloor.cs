using System.Diagnostics;
using CornerNet.Model.Architecture;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Benchmarks;

/// <summary>One precision's convolution rate: hourglass104's commonest layer alone, plain (conv2d, then ReLU as its
/// own pass) and fused (<see cref="FusedConvolution"/>), median of the timed calls. <see cref="ConvCpuMs"/>: the plain
/// convolution's process CPU time (all threads), which other processes on the machine inflate less than wall time.</summary>
public sealed record ConvolutionFloorRow(string Precision, string Shape, double ConvMs, double ConvReluMs, double? FusedMs, double Gflops, double FloorMs, double ConvCpuMs)
{
    /// <summary>The convolution's work per CPU second (all threads), in GFLOP.</summary>
    public double GflopsPerCpuSecond => ConvolutionFloor.LayerFlops / (ConvCpuMs / 1000) / 1e9;
}

/// <summary>
/// The floor the forward pass is measured against, in the same run: the rate of a 3x3 256-to-256 convolution on
/// 2x256x128x192 channels-last (hourglass104's most common layer, for a 640x480 image and its mirror), and the time
/// hourglass104's convolutions would take at that rate.
/// </summary>
public static class ConvolutionFloor
{
    /// <summary>Multiply-add pairs x 2 of hourglass104's convolutions for a 640x480 image and its mirror (one batch of 2
    /// at 511x767), counted layer by layer (docs/performance-notes.md).</summary>
    public const double Hourglass104Flops = 2.06e12;

    private const int Batch = 2, Channels = 256, Height = 128, Width = 192;

    /// <summary>The measured layer's work: multiply-add pairs x 2.</summary>
    public const double LayerFlops = 2.0 * Batch * Channels * Channels * 9 * Height * Width;

    public static List<ConvolutionFloorRow> Measure(IEnumerable<InferencePrecision> precisions, int iterations)
    {
        var rows = new List<ConvolutionFloorRow>();
        foreach (var precision in precisions)
        {
            using var noGrad = torch.inference_mode();
            using var scope = torch.NewDisposeScope();
            var dtype = precision == InferencePrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
            var generator = new Generator(3);
            var input = ChannelsLast.From(randn([Batch, Channels, Height, Width], generator: generator).to(dtype));
            var weight = (randn([Channels, Channels, 3, 3], generator: generator) * 0.02).to(dtype);
            var bias = randn([Channels], generator: generator).to(dtype);
            var (conv, convCpu) = Time(() => nn.functional.conv2d(input, weight, bias, padding: [1, 1]), iterations);
            double convRelu = Time(() => nn.functional.relu(nn.functional.conv2d(input, weight, bias, padding: [1, 1]), inplace: true), iterations).Wall;
            double? fused = FusedConvolution.IsAvailable ? Time(() => FusedConvolution.ConvRelu(input, weight, bias, 1, 1), iterations).Wall : null;
            double gflops = LayerFlops / (conv / 1000) / 1e9;
            rows.Add(new ConvolutionFloorRow(precision.ToString().ToLowerInvariant(), $"{Batch}x{Channels}x{Height}x{Width}", conv, convRelu, fused, gflops,
                Hourglass104Flops / (gflops * 1e9) * 1000, convCpu));
        }

        return rows;
    }

    /// <summary>Median wall and process-CPU milliseconds of the timed calls.</summary>
    private static (double Wall, double Cpu) Time(Func<Tensor> call, int iterations)
    {
        call().Dispose();
        var times = new double[iterations];
        var cpuTimes = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            double cpu = CpuClock.ProcessMilliseconds();
            long started = Stopwatch.GetTimestamp();
            call().Dispose();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            cpuTimes[i] = CpuClock.ProcessMilliseconds() - cpu;
        }

        Array.Sort(times);
        Array.Sort(cpuTimes);
        return (times[iterations / 2], cpuTimes[iterations / 2]);
    }
}
