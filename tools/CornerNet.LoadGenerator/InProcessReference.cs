using System.Diagnostics;
using CornerNet.Model.Inference;
using CornerNet.Tools.Common;

namespace CornerNet.LoadGenerator;

/// <summary>The same pipeline without HTTP: what the service could do at best on this machine.</summary>
/// <param name="BatchSize">Images per <see cref="IDetector.Detect(IReadOnlyList{DecodedImage})"/> call.</param>
/// <param name="BatchLatency">Per call: decoding the batch's images plus running them through the detector.</param>
/// <param name="CpuMsPerImage">This process's CPU time (all threads) per image over the measured batches.</param>
/// <param name="MeanStageMs">Mean milliseconds per batch: image decoding, then the detector's own stage timings.</param>
public sealed record InProcessResult(
    int BatchSize, int Images, double MeasuredSeconds, double ThroughputPerSecond, LatencySummary BatchLatency, int DetectionsPerImage, double CpuMsPerImage,
    IReadOnlyDictionary<string, double> MeanStageMs);

/// <summary>
/// Saturation without HTTP: one thread decodes <c>batchSize</c> copies of the image with <see cref="ImageLoader"/> (the
/// service decodes every upload too) and runs them through the detector as one batch, back to back. That is what the
/// service's batching worker does when its queue never runs dry, minus HTTP, JSON, queueing and the request threads.
/// </summary>
public static class InProcessReference
{
    /// <param name="scoreThreshold">Only for the detection count reported, as the service filters by Detection:ScoreThreshold.</param>
    /// <param name="warmupCalls">Unmeasured calls at least (as well as the budget's warm-up time).</param>
    public static InProcessResult Run(
        IDetector detector, ImageLoader loader, LoadImage image, int batchSize, LoadBudget budget, int warmupCalls, float scoreThreshold)
    {
        var bgr = detector.Spec.IsBgr;
        // The service has run many batches long before it is measured.
        Warmup.Run(() => RunBatch(detector, loader, image, bgr, batchSize, scoreThreshold), warmupCalls, budget.Warmup);

        var latencies = new List<double>();
        var stages = new Dictionary<string, double> { ["imageDecode"] = 0, ["preprocess"] = 0, ["forward"] = 0, ["decode"] = 0, ["nms"] = 0 };
        var detections = 0;
        var images = 0;
        var cpuBefore = ProcessCpu.Current();
        var measured = Stopwatch.StartNew();
        while (budget.Duration is { } duration ? measured.Elapsed < duration : images < budget.Requests)
        {
            var started = Stopwatch.GetTimestamp();
            detections = RunBatch(detector, loader, image, bgr, batchSize, scoreThreshold, stages);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            images += batchSize;
        }

        // Measured to the end of the last batch, so a batch is never counted partly.
        var seconds = measured.Elapsed.TotalSeconds;
        var cpu = ProcessCpu.Current() - cpuBefore;
        return new InProcessResult(batchSize, images, seconds, images / seconds, LatencySummary.Of(latencies)!, detections, cpu.TotalMilliseconds / images,
            stages.ToDictionary(s => s.Key, s => s.Value / latencies.Count));
    }

    private static int RunBatch(IDetector detector, ImageLoader loader, LoadImage image, bool bgr, int batchSize, float scoreThreshold,
        Dictionary<string, double>? stages = null)
    {
        var started = Stopwatch.GetTimestamp();
        var decoded = new DecodedImage[batchSize];
        for (var i = 0; i < batchSize; i++) decoded[i] = loader.Load(image.Bytes, bgr);
        var imageDecode = Stopwatch.GetElapsedTime(started);
        var result = detector.Detect(decoded);
        if (stages is not null)
        {
            stages["imageDecode"] += imageDecode.TotalMilliseconds;
            stages["preprocess"] += result.Timings.Preprocess.TotalMilliseconds;
            stages["forward"] += result.Timings.Forward.TotalMilliseconds;
            stages["decode"] += result.Timings.Decode.TotalMilliseconds;
            stages["nms"] += result.Timings.Nms.TotalMilliseconds;
        }

        return result.Images[0].Count(d => d.Score >= scoreThreshold);
    }
}
