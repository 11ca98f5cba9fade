using System.Diagnostics;
using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;
using TorchSharp;
using Xunit.Abstractions;

namespace CornerNet.Model.Tests.Inference;

public sealed class ZzProbeTests(ITestOutputHelper output)
{
    [Fact]
    public void Probe()
    {
        var spec = ArchitectureSpec.Load(RepositoryPaths.Fixture("network", "fixture_arch.json"));
        torch.random.manual_seed(1);
        using var network = new CornerNetNetwork(spec);
        network.eval();
        var image = CornerNet.Training.Commands.BenchCommand.GeneratedImage(640, 480);
        var g = CanvasGeometry.For(480, 640, 1);
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        var input = new float[2 * 3 * g.CanvasHeight * g.CanvasWidth];
        ImagePreprocessor.Fill(image, g, spec.Mean, spec.Std, input.AsSpan(0, input.Length / 2), input.AsSpan(input.Length / 2));
        var heads = network.forward(torch.tensor(input, [2, 3, g.CanvasHeight, g.CanvasWidth]));
        output.WriteLine($"contiguous {heads.All.All(t => t.is_contiguous())} shape {string.Join("x", heads.TopLeftHeat.shape)}");
        var options = new DetectorOptions();
        var times = new List<double>();
        for (int i = 0; i < 30; i++)
        {
            ManagedCornerDecoder.ZzOffers = 0;
            using var s = torch.NewDisposeScope();
            long t0 = Stopwatch.GetTimestamp();
            CornerDecoder.Decode(heads, options);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        times.Sort();
        output.WriteLine($"decode min {times[0]:F3} median {times[15]:F3} offers {ManagedCornerDecoder.ZzOffers}");
        var tl = heads.TopLeftHeat.data<float>().ToArray();
        output.WriteLine($"tl heat distinct {tl.Distinct().Count()} of {tl.Length}, max {tl.Max()}, min {tl.Min()}");
        long t1 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 30; i++) { using var s = torch.NewDisposeScope(); _ = heads.All.All(t => t.device_type == DeviceType.CPU); var b = heads.TopLeftHeat.bytes; }
        output.WriteLine($"overhead probe {Stopwatch.GetElapsedTime(t1).TotalMilliseconds / 30:F3}");
    }
}
