using System.Diagnostics;
using System.Runtime.InteropServices;
using CornerNet.Model.Architecture;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Inference;

/// <summary>
/// The authors' CornerNet test pipeline (test/coco.py, kp_detection) for batches of images: per test scale,
/// resize and centre in the canvas, forward each image together with its mirror, decode corners, un-mirror and
/// map back to image pixels, then per class (soft-)NMS over mirrors and scales together and a cap on detections
/// per image. Thread-safe; every tensor a call creates is released before it returns.
/// </summary>
/// <remarks>
/// Batching: images are forwarded together only when they share a canvas size at the scale being run. Padding
/// smaller images up to a common canvas would change what the network sees (extra padded context shifts border
/// responses, and the image centre moves on the output grid), so an image's detections would depend on its
/// batch-mates. Grouping keeps them independent of batching up to floating-point differences of batched
/// convolutions.
/// </remarks>
public sealed class CornerNetDetector : IDetector
{
    private readonly nn.Module<Tensor, CornerHeads> _network;
    private readonly Device _device;
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <param name="network">Returns the last stack's heads for a [B, 3, H, W] input; put in eval mode here.</param>
    /// <param name="spec">Classes, channel order, mean and std of the network.</param>
    /// <param name="options">Pipeline settings; by default the authors' test settings for the network's family
    /// (<see cref="DetectorOptions.ForModel"/>).</param>
    /// <param name="device">Where inputs go; by default the device of the network's first parameter, else the CPU.</param>
    public CornerNetDetector(nn.Module<Tensor, CornerHeads> network, ArchitectureSpec spec, DetectorOptions? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(spec);
        _network = network;
        Spec = spec;
        Options = (options ?? DetectorOptions.ForModel(spec)).Validate();
        _device = device ?? network.parameters().FirstOrDefault()?.device ?? CPU;
        _mean = [.. spec.Mean];
        _std = [.. spec.Std];
        network.eval();
    }

    public ArchitectureSpec Spec { get; }

    public DetectorOptions Options { get; }

    /// <summary>Detections of one image, best first.</summary>
    public IReadOnlyList<Detection> Detect(DecodedImage image) => Detect([image]).Images[0];

    /// <summary>Detections of every image (best first), in input order, and stage timings.</summary>
    public DetectionResult Detect(IReadOnlyList<DecodedImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var clock = new StageClock();
        var working = new DecodedImage[images.Count];
        var backToOriginal = new (float X, float Y)[images.Count];
        var candidates = new CandidateBuffer[images.Count];
        int halves = Options.Flip ? 2 : 1;

        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < images.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(images[i], nameof(images));
            (working[i], backToOriginal[i]) = CapLongestSide(images[i]);
            candidates[i] = new CandidateBuffer(Options.TestScales.Count * halves * Options.NumDets);
        }

        clock.Preprocess += Stopwatch.GetTimestamp() - started;

        using (torch.inference_mode())
        {
            foreach (double scale in Options.TestScales)
            {
                var geometries = working.Select(w => CanvasGeometry.For(w.Height, w.Width, scale, Spec.OutputStride)).ToArray();
                foreach (var batch in SameCanvasBatches(geometries))
                {
                    RunBatch(batch, working, geometries, candidates, clock);
                }
            }
        }

        started = Stopwatch.GetTimestamp();
        var results = new IReadOnlyList<Detection>[images.Count];
        using (InferenceTracing.Start("soft-nms", images.Count))
        {
            for (int i = 0; i < images.Count; i++)
            {
                results[i] = Suppress(candidates[i], backToOriginal[i]);
            }
        }

        clock.Nms += Stopwatch.GetTimestamp() - started;
        return new DetectionResult(results, clock.ToTimings());
    }

    /// <summary>
    /// The stages after the decoder for one image whose longest side is within the cap: given the decoder output
    /// (image then mirror, NumDets boxes each) at each test scale, maps, pools and suppresses. Lets tests feed the
    /// authors' own decoder output.
    /// </summary>
    internal IReadOnlyList<Detection> DetectFromDecoded(IReadOnlyList<(CanvasGeometry Geometry, CornerDetection[] Decoded)> scales)
    {
        int halves = Options.Flip ? 2 : 1;
        var candidates = new CandidateBuffer(scales.Count * halves * Options.NumDets);
        foreach (var (geometry, decoded) in scales)
        {
            for (int half = 0; half < halves; half++)
            {
                candidates.AddMapped(decoded.AsSpan(half * Options.NumDets, Options.NumDets), geometry, mirrored: half == 1);
            }
        }

        return Suppress(candidates, (1f, 1f));
    }

    /// <summary>Downscales an image whose longer side exceeds the cap; returns the factors back to original pixels.</summary>
    private (DecodedImage Image, (float X, float Y) Factor) CapLongestSide(DecodedImage image)
    {
        int longest = Math.Max(image.Width, image.Height);
        if (Options.MaxLongestSide is not { } cap || longest <= cap) return (image, (1f, 1f));
        double shrink = (double)cap / longest;
        int width = Math.Max(1, (int)Math.Round(image.Width * shrink));
        int height = Math.Max(1, (int)Math.Round(image.Height * shrink));
        var resized = LinearResizer.Resize(image, width, height);
        return (resized, ((float)((double)image.Width / width), (float)((double)image.Height / height)));
    }

    /// <summary>Indices of images sharing a canvas size, in order of first appearance, at most MaxBatchImages each.</summary>
    private IEnumerable<int[]> SameCanvasBatches(CanvasGeometry[] geometries) =>
        Enumerable.Range(0, geometries.Length)
            .GroupBy(i => (geometries[i].CanvasHeight, geometries[i].CanvasWidth))
            .SelectMany(group => group.Chunk(Options.MaxBatchImages));

    private void RunBatch(int[] batch, DecodedImage[] working, CanvasGeometry[] geometries, CandidateBuffer[] candidates, StageClock clock)
    {
        int halves = Options.Flip ? 2 : 1;
        var first = geometries[batch[0]];
        int planeFloats = 3 * first.CanvasHeight * first.CanvasWidth;
        CornerDetection[] decoded;
        using (torch.NewDisposeScope())
        {
            long started = Stopwatch.GetTimestamp();
            var input = torch.empty([batch.Length * halves, 3, first.CanvasHeight, first.CanvasWidth], ScalarType.Float32, CPU);
            var inputFloats = MemoryMarshal.Cast<byte, float>(input.bytes);
            for (int m = 0; m < batch.Length; m++)
            {
                // Image m at 2m, its mirror at 2m + 1, as the authors concatenate them.
                int image = batch[m];
                var canvas = inputFloats.Slice(m * halves * planeFloats, planeFloats);
                var mirror = halves == 2 ? inputFloats.Slice((m * halves + 1) * planeFloats, planeFloats) : [];
                ImagePreprocessor.Fill(working[image], geometries[image], _mean, _std, canvas, mirror, Options.NormalizeInFloat32);
            }

            if (_device.type != DeviceType.CPU) input = input.to(_device);
            clock.Preprocess += Stopwatch.GetTimestamp() - started;

            started = Stopwatch.GetTimestamp();
            CornerHeads heads;
            using (InferenceTracing.Start("forward", batch.Length))
            {
                heads = _network.forward(input);
            }

            clock.Forward += Stopwatch.GetTimestamp() - started;

            started = Stopwatch.GetTimestamp();
            using (InferenceTracing.Start("corner decode", batch.Length))
            {
                CheckHeads(heads, batch.Length * halves, first);
                decoded = CornerDecoder.Decode(heads, Options);
            }

            clock.Decode += Stopwatch.GetTimestamp() - started;
        }

        long mapping = Stopwatch.GetTimestamp();
        for (int m = 0; m < batch.Length; m++)
        {
            for (int half = 0; half < halves; half++)
            {
                var boxes = decoded.AsSpan((m * halves + half) * Options.NumDets, Options.NumDets);
                candidates[batch[m]].AddMapped(boxes, geometries[batch[m]], mirrored: half == 1);
            }
        }

        clock.Decode += Stopwatch.GetTimestamp() - mapping;
    }

    private void CheckHeads(CornerHeads heads, int batchSize, in CanvasGeometry geometry)
    {
        var shape = heads.TopLeftHeat.shape;
        if (shape.Length != 4 || shape[0] != batchSize || shape[1] != Spec.ClassCount || shape[2] != geometry.OutputHeight || shape[3] != geometry.OutputWidth)
        {
            throw new InvalidOperationException(
                $"The network returned heatmaps [{string.Join(", ", shape)}]; expected [{batchSize}, {Spec.ClassCount}, {geometry.OutputHeight}, {geometry.OutputWidth}] for a {geometry.CanvasWidth}x{geometry.CanvasHeight} input.");
        }
    }

    /// <summary>Per class NMS over all scales and mirrors, the score floor, then the per-image cap.</summary>
    private IReadOnlyList<Detection> Suppress(CandidateBuffer candidates, (float X, float Y) backToOriginal) =>
        ClassWiseSuppression.Apply(candidates.Rows.AsSpan(0, candidates.Count), Spec, Options, backToOriginal);

    /// <summary>Accumulated stopwatch ticks per stage.</summary>
    private sealed class StageClock
    {
        public long Preprocess;
        public long Forward;
        public long Decode;
        public long Nms;

        public StageTimings ToTimings() => new(
            Stopwatch.GetElapsedTime(0, Preprocess), Stopwatch.GetElapsedTime(0, Forward),
            Stopwatch.GetElapsedTime(0, Decode), Stopwatch.GetElapsedTime(0, Nms));
    }
}
