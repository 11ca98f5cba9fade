using System.CommandLine;
using System.Globalization;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Data;
using CornerNet.Model.Inference;
using CornerNet.Training.OfflineDetection;
using CornerNet.Training.Trainer;

namespace CornerNet.Training.Commands;

/// <summary>
/// <c>evaluate --weights W [--arch A] --data annotations.json [--images DIR] [--out results.json]</c> runs the detector
/// over a COCO-format set and scores it; <c>evaluate --gt annotations.json --detections results.json</c> scores an
/// existing results file. Both print pycocotools' 12 summary lines.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var weights = new Option<string?>("--weights") { Description = "Weights (.pth) to run." };
        var arch = new Option<string?>("--arch") { Description = "Architecture preset or JSON (default: the .json beside the weights)." };
        var data = new Option<string?>("--data") { Description = "COCO annotations of the evaluation set." };
        var images = new Option<string?>("--images") { Description = "Folder the images' file names are relative to (default: the annotations' folder)." };
        var output = new Option<string?>("--out") { Description = "Write the detections as a COCO results JSON file." };
        var groundTruth = new Option<string?>("--gt") { Description = "COCO annotations to score --detections against." };
        var detections = new Option<string?>("--detections") { Description = "An existing COCO results JSON file to score." };
        var noFlip = new Option<bool>("--no-flip") { Description = "Skip the flipped test-time pass (the authors' default is to use it)." };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0: libtorch's choice).", DefaultValueFactory = _ => 0 };
        var precision = new Option<string>("--precision") { Description = "fp32 (exact) or bf16.", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong([.. InferencePrecisions.Names]);
        var command = new Command("evaluate", "Detect on a COCO-format set and print COCO AP, or score an existing results file.")
        {
            weights, arch, data, images, output, groundTruth, detections, noFlip, threads, precision,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) > 0) TorchSharp.torch.set_num_threads(parse.GetValue(threads));
            if (parse.GetValue(detections) is { } results)
            {
                var gt = parse.GetValue(groundTruth) ?? parse.GetValue(data);
                if (gt is null) return Usage("scoring --detections needs --gt annotations.json");
                return Guard(() => Score(gt, results, Console.Out));
            }

            var weightsPath = parse.GetValue(weights);
            var dataPath = parse.GetValue(data);
            if (weightsPath is null || dataPath is null) return Usage("give --weights and --data (or --gt and --detections)");
            var options = new DetectorOptions { Flip = !parse.GetValue(noFlip) };
            var tuning = new InferenceTuning { Precision = InferencePrecisions.Parse(parse.GetValue(precision)!) };
            return Guard(() => Detect(weightsPath, parse.GetValue(arch), dataPath, parse.GetValue(images), parse.GetValue(output), options, Console.Out, tuning));
        });
        return command;
    }

    /// <summary>Scores a results file; returns the evaluation (its summary lines are printed).</summary>
    public static CocoEvaluation Score(string groundTruthPath, string resultsPath, TextWriter output)
    {
        var dataset = CocoDataset.Load(RequireFile(groundTruthPath, "annotations"));
        var results = CocoResults.Load(RequireFile(resultsPath, "results"));
        var evaluation = new CocoEvaluator(dataset).Evaluate(results);
        foreach (var line in evaluation.SummaryLines) output.WriteLine(line);
        return evaluation;
    }

    /// <summary>Runs the detector over every image of the set, optionally saves the results, and scores them.</summary>
    public static CocoEvaluation Detect(string weightsPath, string? architecture, string dataPath, string? imagesDirectory, string? resultsPath,
        DetectorOptions options, TextWriter output, InferenceTuning? tuning = null)
    {
        RequireFile(weightsPath, "weights");
        var dataset = CocoDataset.Load(RequireFile(dataPath, "annotations"));
        if (dataset.Images.Count == 0) throw new TrainingDataException($"{dataPath}: the image list is empty.");
        var root = imagesDirectory ?? Path.GetDirectoryName(Path.GetFullPath(dataPath))!;
        var missing = dataset.Images.FirstOrDefault(i => !File.Exists(Path.Combine(root, i.FileName)));
        if (missing is not null) throw new TrainingDataException($"{dataPath}: image id {missing.Id}: file '{Path.Combine(root, missing.FileName)}' not found.");

        using var network = DetectSettings.LoadNetwork(weightsPath, architecture);
        network.PrepareForInference(tuning ?? InferenceTuning.Default);
        var spec = network.Spec;
        // A saccade network runs its family's test procedure with its family's settings (CornerNet_Saccade.json's, no flip).
        if (spec.Family == NetworkFamily.Saccade)
        {
            options = DetectorOptions.ForModel(spec) with { MaxBatchImages = options.MaxBatchImages };
            output.WriteLine("evaluate: CornerNet-Saccade test procedure (two views with attention, zoom crops, top-K 12, soft-NMS sigma 0.7)");
        }

        var loop = DetectionLoop.For(network, options, CategoryMap.From(spec, dataset));
        var images = dataset.Images.Select((image, index) => new ImageItem(index, image.Id, image.FileName, Path.Combine(root, image.FileName))).ToList();
        var started = DateTime.UtcNow;
        var outcomes = DetectionLoop.Batches(images, options.MaxBatchImages).SelectMany(b => loop.Run(b.Batch, b.Images).Images).ToList();
        var detections = DetectionResultFiles.CocoDetections(outcomes).ToList();
        var skipped = outcomes.Where(o => o.Skipped).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"evaluate: {dataset.Images.Count} images, {detections.Count} detections in {(DateTime.UtcNow - started).TotalSeconds:F1} s ({network.Tuning}), {skipped.Count} skipped"));
        // An image that cannot be decoded is scored as one with no detections (its objects count as missed).
        foreach (var image in skipped) output.WriteLine($"evaluate: skipped image id {image.ImageId} '{image.Name}': {image.Error}");
        if (resultsPath is not null)
        {
            DetectionResultFiles.WriteResults(resultsPath, outcomes);
            output.WriteLine($"evaluate: results {resultsPath}");
        }

        var evaluation = new CocoEvaluator(dataset).Evaluate(detections);
        foreach (var line in evaluation.SummaryLines) output.WriteLine(line);
        return evaluation;
    }

    private static string RequireFile(string path, string what)
    {
        RegularFile.Require(path, $"The {what} file");
        return path;
    }

    private static int Guard(Func<object> action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is TrainingDataException or CocoFormatException or ArgumentException or IOException
                                   or CheckpointFormatException or CheckpointMismatchException or InvalidImageException)
        {
            Console.Error.WriteLine($"evaluate: {e.Message}");
            return 1;
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"evaluate: {message}");
        return 2;
    }
}
