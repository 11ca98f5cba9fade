using System.Diagnostics;
using System.Runtime.InteropServices;
using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// CornerNet-Saccade's test procedure (the authors' cornernet_saccade_inference with one attention round, as
/// CornerNet_Saccade.json configures it): the downsized views with attention (<see cref="SaccadeViews"/>,
/// <see cref="SaccadeCrops"/>), zoom locations from attention peaks (<see cref="AttentionDecoder"/>) and confident
/// view detections, merged (<see cref="ZoomLocationMerger"/>), at most MaxCrops crops around them forwarded without
/// attention, every detection mapped back (<see cref="SaccadeDetectionMapping"/>) and suppressed per class
/// (<see cref="ClassWiseSuppression"/>). Thread-safe; every tensor a call creates is released before it returns.
/// </summary>
/// <remarks>
/// Batching: the views of the call's images share forward passes, and so do their crops, CropBatch inputs at most
/// per pass (the authors batch one image's crops by 32). Every view and crop is a fixed-size input prepared from its
/// own image only, and each image's candidates keep the authors' order (views, then its crops in location order), so
/// an image's detections do not depend on the images it was batched with, up to floating-point differences of
/// batched convolutions.
/// </remarks>
public sealed class SaccadeDetector : IDetector
{
    private readonly CornerNetNetwork _network;
    private readonly Device _device;

    public SaccadeDetector(CornerNetNetwork network, DetectorOptions? options = null, SaccadeOptions? saccade = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.Spec.Family != NetworkFamily.Saccade) throw new ArgumentException($"{network.Spec.Name} is a {network.Spec.Family} network, not a saccade one.", nameof(network));
        _network = network;
        Spec = network.Spec;
        Options = (options ?? DetectorOptions.ForModel(Spec)).Validate();
        Saccade = saccade ?? new SaccadeOptions();
        var problems = Saccade.Problems(Spec.AttentionMaps);
        if (problems.Count > 0) throw new ArgumentException($"Invalid saccade options: {string.Join("; ", problems)}.", nameof(saccade));
        _device = device ?? network.parameters().FirstOrDefault()?.device ?? CPU;
        network.eval();
    }

    public ArchitectureSpec Spec { get; }

    public DetectorOptions Options { get; }

    public SaccadeOptions Saccade { get; }

    /// <summary>Detections of one image, best first.</summary>
    public IReadOnlyList<Detection> Detect(DecodedImage image) => Detect([image]).Images[0];

    /// <summary>Detections of every image (best first), in input order, the crops each took
    /// (<see cref="DetectionResult.Crops"/>), and stage timings (views and crops together).</summary>
    public DetectionResult Detect(IReadOnlyList<DecodedImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        foreach (var image in images) ArgumentNullException.ThrowIfNull(image, nameof(images));
        var clock = new long[4];
        var candidates = new List<CornerDetection>[images.Count];
        var zooms = new List<ZoomLocation>[images.Count];
        using (var pixels = new ImagePixels(images))
        using (inference_mode())
        {
            int imagesPerPass = Math.Max(1, Saccade.CropBatch / Saccade.ViewSizes.Count);
            for (int first = 0; first < images.Count; first += imagesPerPass)
            {
                LookAtViews(first, Math.Min(imagesPerPass, images.Count - first), pixels, zooms, candidates, clock);
            }

            var crops = Enumerable.Range(0, images.Count).SelectMany(i => zooms[i].Select(location => (Image: i, Location: location))).ToArray();
            foreach (var pass in crops.Chunk(Saccade.CropBatch))
            {
                LookAtCrops(pass, pixels, candidates, clock);
            }
        }

        long started = Stopwatch.GetTimestamp();
        var results = new IReadOnlyList<Detection>[images.Count];
        using (InferenceTracing.Start("soft-nms", images.Count))
        {
            for (int i = 0; i < images.Count; i++)
            {
                results[i] = ClassWiseSuppression.Apply(CollectionsMarshal.AsSpan(candidates[i]), Spec, Options, (1f, 1f));
            }
        }

        clock[3] += Stopwatch.GetTimestamp() - started;
        var timings = new StageTimings(
            Stopwatch.GetElapsedTime(0, clock[0]), Stopwatch.GetElapsedTime(0, clock[1]),
            Stopwatch.GetElapsedTime(0, clock[2]), Stopwatch.GetElapsedTime(0, clock[3]));
        return new DetectionResult(results, timings, [.. zooms.Select(z => z.Count)]);
    }

    /// <summary>The views of images [first, first + count) in one forward pass with attention: each image's view
    /// detections (image pixels) and the zoom locations they and the attention maps lead to (at most MaxCrops).</summary>
    private void LookAtViews(int first, int count, ImagePixels pixels, List<ZoomLocation>[] zooms, List<CornerDetection>[] candidates, long[] clock)
    {
        using var scope = NewDisposeScope();
        long started = Stopwatch.GetTimestamp();
        int perImage = Saccade.ViewSizes.Count;
        var views = new ZoomLocation[count][];
        var offsets = new (float Y, float X)[count][];
        var inputs = new Tensor[count];
        for (int g = 0; g < count; g++)
        {
            var image = pixels.Images[first + g];
            views[g] = SaccadeViews.For(image.Height, image.Width, Saccade.ViewSizes);
            (inputs[g], offsets[g]) = SaccadeCrops.Prepare(pixels.For(first + g), views[g], Saccade.InputSize, Spec.Mean, Spec.Std);
        }

        var batch = count == 1 ? inputs[0] : cat(inputs, 0);
        clock[0] += Stopwatch.GetTimestamp() - started;

        started = Stopwatch.GetTimestamp();
        CornerHeads heads;
        IReadOnlyList<Tensor> attention;
        using (InferenceTracing.Start("views forward", count))
        {
            (heads, attention) = _network.ForwardWithAttention(batch.to(_device));
        }

        clock[1] += Stopwatch.GetTimestamp() - started;

        started = Stopwatch.GetTimestamp();
        using (InferenceTracing.Start("attention decode", count))
        {
            var decoded = CornerDecoder.Decode(heads, Options);
            float ratio = OutputRatio(heads);
            var strides = attention.Select(map => (Saccade.InputSize + 1) / (int)map.shape[2]).ToArray();
            for (int g = 0; g < count; g++)
            {
                var image = pixels.Images[first + g];
                var detections = new List<CornerDetection>();
                for (int v = 0; v < perImage; v++)
                {
                    int row = g * perImage + v;
                    SaccadeDetectionMapping.AddMapped(decoded.AsSpan(row * Options.NumDets, Options.NumDets), ratio, views[g][v], offsets[g][v], isView: true, Saccade.ViewScoreFloor, detections);
                }

                var maps = attention.Select(map => map.narrow(0, g * perImage, perImage)).ToArray();
                var locations = AttentionDecoder.Decode(maps, views[g], offsets[g], strides, image.Height, image.Width, Saccade);
                if (Saccade.ReferenceDetections)
                {
                    locations.AddRange(ZoomLocationMerger.FromDetections(detections, Saccade.ReferenceScore));
                    locations = ZoomLocationMerger.Merge(locations, Saccade.LocationNmsDistance);
                }

                zooms[first + g] = [.. locations.Take(Saccade.MaxCrops)];
                candidates[first + g] = detections;
            }
        }

        clock[2] += Stopwatch.GetTimestamp() - started;
    }

    /// <summary>One forward pass (without attention) over crops of one or several images; their detections, in image
    /// pixels, join their image's candidates in crop order.</summary>
    private void LookAtCrops((int Image, ZoomLocation Location)[] pass, ImagePixels pixels, List<CornerDetection>[] candidates, long[] clock)
    {
        using var scope = NewDisposeScope();
        long started = Stopwatch.GetTimestamp();
        var inputs = new List<Tensor>();
        var offsets = new List<(float Y, float X)>(pass.Length);
        int start = 0;
        while (start < pass.Length)
        {
            int image = pass[start].Image, end = start + 1;
            while (end < pass.Length && pass[end].Image == image) end++;
            var locations = pass[start..end].Select(p => p.Location).ToArray();
            var (crops, cropOffsets) = SaccadeCrops.Prepare(pixels.For(image), locations, Saccade.InputSize, Spec.Mean, Spec.Std);
            inputs.Add(crops);
            offsets.AddRange(cropOffsets);
            start = end;
        }

        var batch = inputs.Count == 1 ? inputs[0] : cat(inputs, 0);
        clock[0] += Stopwatch.GetTimestamp() - started;

        started = Stopwatch.GetTimestamp();
        CornerHeads heads;
        using (InferenceTracing.Start("crops forward", pass.Length))
        {
            heads = _network.forward(batch.to(_device));
        }

        clock[1] += Stopwatch.GetTimestamp() - started;

        started = Stopwatch.GetTimestamp();
        using (InferenceTracing.Start("corner decode", pass.Length))
        {
            var boxes = CornerDecoder.Decode(heads, Options);
            float ratio = OutputRatio(heads);
            for (int c = 0; c < pass.Length; c++)
            {
                SaccadeDetectionMapping.AddMapped(boxes.AsSpan(c * Options.NumDets, Options.NumDets), ratio, pass[c].Location, offsets[c], isView: false, -1f, candidates[pass[c].Image]);
            }
        }

        clock[2] += Stopwatch.GetTimestamp() - started;
    }

    /// <summary>Output cells per input pixel (64 / 255 for the authors' network), in float32 as their division.</summary>
    private float OutputRatio(CornerHeads heads) => (float)((double)heads.TopLeftHeat.shape[3] / Saccade.InputSize);

    /// <summary>The call's images as the crops read them (<see cref="SaccadeCrops.ImageTensor"/>, float64): one held
    /// at a time, made again when a later pass needs it, so a batch of large images does not hold all of them.</summary>
    private sealed class ImagePixels(IReadOnlyList<DecodedImage> images) : IDisposable
    {
        private int _index = -1;
        private Tensor? _tensor;

        public IReadOnlyList<DecodedImage> Images { get; } = images;

        public Tensor For(int index)
        {
            if (index == _index) return _tensor!;
            _tensor?.Dispose();
            _tensor = null;
            using (NewDisposeScope())
            {
                _tensor = SaccadeCrops.ImageTensor(Images[index]).DetachFromDisposeScope();
            }

            _index = index;
            return _tensor;
        }

        public void Dispose() => _tensor?.Dispose();
    }
}
