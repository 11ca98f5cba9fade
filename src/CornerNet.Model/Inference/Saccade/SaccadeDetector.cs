using System.Diagnostics;
using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// CornerNet-Saccade's test procedure (the authors' cornernet_saccade_inference with one attention round, as
/// CornerNet_Saccade.json configures it), image by image: the downsized views in one batch with attention
/// (<see cref="SaccadeViews"/>, <see cref="SaccadeCrops"/>), zoom locations from attention peaks
/// (<see cref="AttentionDecoder"/>) and confident view detections, merged (<see cref="ZoomLocationMerger"/>), at most
/// MaxCrops crops around them forwarded in batches without attention, every detection mapped back
/// (<see cref="SaccadeDetectionMapping"/>) and suppressed per class (<see cref="ClassWiseSuppression"/>).
/// Thread-safe; every tensor a call creates is released before it returns.
/// </summary>
public sealed class SaccadeDetector
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

    /// <summary>Detections of every image (best first), in input order, the crops each took, and stage timings.</summary>
    public SaccadeResult Detect(IReadOnlyList<DecodedImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var clock = new long[4];
        var results = new IReadOnlyList<Detection>[images.Count];
        var crops = new int[images.Count];
        using (inference_mode())
        {
            for (int i = 0; i < images.Count; i++)
            {
                ArgumentNullException.ThrowIfNull(images[i], nameof(images));
                (results[i], crops[i]) = DetectOne(images[i], clock);
            }
        }

        var timings = new StageTimings(
            Stopwatch.GetElapsedTime(0, clock[0]), Stopwatch.GetElapsedTime(0, clock[1]),
            Stopwatch.GetElapsedTime(0, clock[2]), Stopwatch.GetElapsedTime(0, clock[3]));
        return new SaccadeResult(results, crops, timings);
    }

    /// <summary>The zoom locations the views of one image lead to (before the MaxCrops cut), with the views' own
    /// detections in image pixels.</summary>
    internal (List<ZoomLocation> Locations, List<CornerDetection> ViewDetections) Locate(Tensor image, int height, int width, long[] clock)
    {
        using var scope = NewDisposeScope();
        long started = Stopwatch.GetTimestamp();
        var views = SaccadeViews.For(height, width, Saccade.ViewSizes);
        var (inputs, offsets) = SaccadeCrops.Prepare(image, views, Saccade.InputSize, Spec.Mean, Spec.Std);
        clock[0] += Stopwatch.GetTimestamp() - started;

        started = Stopwatch.GetTimestamp();
        var (heads, attention) = _network.ForwardWithAttention(inputs.to(_device));
        clock[1] += Stopwatch.GetTimestamp() - started;

        started = Stopwatch.GetTimestamp();
        var decoded = CornerDecoder.Decode(heads, Options);
        float ratio = OutputRatio(heads);
        var detections = new List<CornerDetection>();
        for (int v = 0; v < views.Length; v++)
        {
            SaccadeDetectionMapping.AddMapped(decoded.AsSpan(v * Options.NumDets, Options.NumDets), ratio, views[v], offsets[v], isView: true, Saccade.ViewScoreFloor, detections);
        }

        var strides = attention.Select(map => (int)(Saccade.InputSize + 1) / (int)map.shape[2]).ToArray();
        var locations = AttentionDecoder.Decode(attention, views, offsets, strides, height, width, Saccade);
        if (Saccade.ReferenceDetections)
        {
            locations.AddRange(ZoomLocationMerger.FromDetections(detections, Saccade.ReferenceScore));
            locations = ZoomLocationMerger.Merge(locations, Saccade.LocationNmsDistance);
        }

        clock[2] += Stopwatch.GetTimestamp() - started;
        return (locations, detections);
    }

    private (IReadOnlyList<Detection> Detections, int Crops) DetectOne(DecodedImage decoded, long[] clock)
    {
        using var scope = NewDisposeScope();
        long started = Stopwatch.GetTimestamp();
        var image = SaccadeCrops.ImageTensor(decoded);
        clock[0] += Stopwatch.GetTimestamp() - started;
        var (locations, detections) = Locate(image, decoded.Height, decoded.Width, clock);
        var zooms = locations.Take(Saccade.MaxCrops).ToList();
        foreach (var batch in zooms.Chunk(Saccade.CropBatch))
        {
            using var batchScope = NewDisposeScope();
            started = Stopwatch.GetTimestamp();
            var (inputs, offsets) = SaccadeCrops.Prepare(image, batch, Saccade.InputSize, Spec.Mean, Spec.Std);
            clock[0] += Stopwatch.GetTimestamp() - started;

            started = Stopwatch.GetTimestamp();
            var heads = _network.forward(inputs.to(_device));
            clock[1] += Stopwatch.GetTimestamp() - started;

            started = Stopwatch.GetTimestamp();
            var boxes = CornerDecoder.Decode(heads, Options);
            float ratio = OutputRatio(heads);
            for (int c = 0; c < batch.Length; c++)
            {
                SaccadeDetectionMapping.AddMapped(boxes.AsSpan(c * Options.NumDets, Options.NumDets), ratio, batch[c], offsets[c], isView: false, -1f, detections);
            }

            clock[2] += Stopwatch.GetTimestamp() - started;
        }

        started = Stopwatch.GetTimestamp();
        var result = ClassWiseSuppression.Apply(detections.ToArray(), Spec, Options, (1f, 1f));
        clock[3] += Stopwatch.GetTimestamp() - started;
        return (result, zooms.Count);
    }

    /// <summary>Output cells per input pixel (64 / 255 for the authors' network), in float32 as their division.</summary>
    private float OutputRatio(CornerHeads heads) => (float)((double)heads.TopLeftHeat.shape[3] / Saccade.InputSize);
}

/// <summary>The detections of every image of one call (best first, in input order), how many zoom crops each one took,
/// and where the time went (views and crops together).</summary>
public sealed record SaccadeResult(IReadOnlyList<IReadOnlyList<Detection>> Images, IReadOnlyList<int> Crops, StageTimings Timings);
