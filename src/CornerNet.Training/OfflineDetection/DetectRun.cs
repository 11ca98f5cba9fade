using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CornerNet.Model.Data;
using CornerNet.Model.Inference;
using CornerNet.Training.Hosting;

namespace CornerNet.Training.OfflineDetection;

/// <summary>
/// One <c>detect</c> run: resolves the images and the shard, opens (or resumes) the journal, runs the batches the
/// journal does not hold yet, and writes the results files from the journal in collection order. A stop request
/// (SIGTERM, Ctrl-C) ends the run after the batch in progress is journaled; running the same command again finishes
/// it, and its results file is byte for byte the one an uninterrupted run writes.
/// </summary>
public static class DetectRun
{
    public const int UsageExitCode = 2;

    /// <summary>Runs <paramref name="settings"/>; messages go to <paramref name="output"/> (summary) and <paramref name="error"/> (progress, problems).</summary>
    public static int Run(DetectSettings settings, TextWriter output, TextWriter error, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!File.Exists(settings.WeightsPath)) return Usage(error, $"{settings.WeightsPath}: weights file not found.");
        if (settings.BatchSize < 1) return Usage(error, "--batch-size must be at least 1.");
        IReadOnlyList<ImageItem> collection;
        IReadOnlyList<ImageItem> shard;
        CocoDataset? annotations;
        try
        {
            annotations = settings.AnnotationsPath is { } a ? CocoDataset.Load(a) : null;
            collection = ImageCollection.Resolve(settings.Images, annotations);
            shard = settings.Shard.Select(collection);
            if (settings.AnnotatedFolder is { } annotatedFolder) AnnotatedImageFiles.CheckNoOverwrite(annotatedFolder, shard);
        }
        catch (Exception e) when (e is ArgumentException or IOException or CocoFormatException or UnauthorizedAccessException)
        {
            return Usage(error, e.Message);
        }

        var batches = DetectionLoop.Batches(shard, settings.BatchSize);
        var journalPath = DetectionJournal.PathFor(Path.GetFullPath(settings.OutputPath));
        using var journal = DetectionJournal.Open(journalPath, Fingerprint(settings, shard),
            new JournalShard(settings.Shard, shard.Count, RunFingerprint(settings, collection)));
        if (journal.TruncatedBytes > 0) error.WriteLine($"detect: cut a torn last line ({journal.TruncatedBytes} bytes) off {journalPath}; that batch runs again.");
        var pending = batches.Where(b => !journal.Batches.ContainsKey(b.Batch)).ToList();
        int done = shard.Count - pending.Sum(b => b.Images.Length);
        if (done > 0) error.WriteLine($"detect: resuming: {done} of {shard.Count} images are in {journalPath}.");

        if (pending.Count > 0)
        {
            if (settings.Threads > 0) TorchSharp.torch.set_num_threads(settings.Threads);
            using var network = DetectSettings.LoadNetwork(settings.WeightsPath, settings.Architecture);
            network.PrepareForInference(settings.Tuning);
            var detectorOptions = (settings.Detector ?? DetectorOptions.ForModel(network.Spec)) with { MaxBatchImages = settings.BatchSize };
            var categories = annotations is null ? CategoryMap.Default(network.Spec) : CategoryMap.From(network.Spec, annotations);
            var annotated = settings.AnnotatedFolder is { } folder
                ? new AnnotatedImageFiles(folder, network.Spec.IsBgr, settings.AnnotatedScoreThreshold)
                : null;
            var loop = DetectionLoop.For(network, detectorOptions, categories, annotated);
            var progress = new DetectionProgress(error, settings.Progress, settings.ProgressInterval, shard.Count, done);
            foreach (var (number, images) in pending)
            {
                if (stopping.IsCancellationRequested)
                {
                    progress.Finish();
                    error.WriteLine($"detect: stopped with {progress.Done} of {shard.Count} images done (kept in {journalPath}); run the same command again to finish.");
                    return WorkerHost.InterruptedExitCode;
                }

                var outcome = loop.Run(number, images);
                journal.Append(outcome);
                progress.Report(outcome);
            }

            progress.Finish();
        }

        var outcomes = batches.SelectMany(b => journal.Batches[b.Batch].Images).ToList();
        DetectionResultFiles.WriteResults(settings.OutputPath, outcomes);
        if (settings.JsonLinesPath is { } lines) DetectionResultFiles.WriteJsonLines(lines, outcomes);
        var skipped = outcomes.Where(o => o.Skipped).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detect: {outcomes.Count - skipped.Count} images, {outcomes.Sum(o => o.Detections.Count)} detections, {skipped.Count} skipped (shard {settings.Shard}); results {settings.OutputPath}"));
        foreach (var image in skipped) output.WriteLine($"detect: skipped '{image.Name}': {image.Error}");
        return 0;
    }

    /// <summary>What must not change between a run and its resumption: weights, settings, shard, annotated output and
    /// the image list.</summary>
    public static string Fingerprint(DetectSettings settings, IReadOnlyList<ImageItem> images)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var annotated = settings.AnnotatedFolder is { } folder
            ? string.Create(CultureInfo.InvariantCulture, $"{Path.GetFullPath(folder)}|{settings.AnnotatedScoreThreshold}")
            : "";
        return Hash(settings, images, $"{settings.Shard}|{settings.BatchSize}|{annotated}");
    }

    /// <summary>The same for every shard of one run (weights, detection settings, the whole collection), for <c>merge</c>.</summary>
    public static string RunFingerprint(DetectSettings settings, IReadOnlyList<ImageItem> collection) => Hash(settings, collection, "");

    private static string Hash(DetectSettings settings, IReadOnlyList<ImageItem> images, string part)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(images);
        var weights = new FileInfo(settings.WeightsPath);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{DetectionJournal.Format}|{weights.FullName}|{weights.Length}|{weights.LastWriteTimeUtc.Ticks}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{settings.Architecture}|{settings.AnnotationsPath}|{settings.Tuning}|{part}");
        text.AppendLine(settings.Detector is null ? "default" : JsonSerializer.Serialize(settings.Detector));
        foreach (var image in images) text.AppendLine(CultureInfo.InvariantCulture, $"{image.Index}|{image.ImageId}|{image.Name}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static int Usage(TextWriter error, string message)
    {
        error.WriteLine($"detect: {message}");
        return UsageExitCode;
    }
}
