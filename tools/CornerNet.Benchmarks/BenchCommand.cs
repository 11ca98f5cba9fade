using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CornerNet.Benchmarks.AuthorsReference;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using CornerNet.Tools.Common;
using TorchSharp;

namespace CornerNet.Benchmarks;

/// <summary>
/// <c>bench [--arch hourglass104|tiny|FILE.json] [--weights FILE] [--batch 1,2,4] [--threads N] [--iterations N]
/// [--warmup N] [--json FILE] [--image FILE] [--crops N]</c>: times the architecture's test procedure
/// (<see cref="Detectors.Create"/>: CornerNet's image and mirror, or CornerNet-Saccade's views and zoom crops) stage by
/// stage (median milliseconds per image), decode + NMS alone on hourglass104-shaped random heads, and
/// preprocessing of a 640x480 image with and without JPEG decoding. Prints one table and optionally writes JSON.
/// </summary>
public static class BenchCommand
{
    public const int DefaultWidth = 640;
    public const int DefaultHeight = 480;

    /// <summary>Warm-up and timed calls of the millisecond-scale micro-benchmarks at least (see <see cref="Warmup"/>).</summary>
    private const int MicroIterations = 50;

    /// <summary>Warm-up time of the micro-benchmarks at least.</summary>
    private static readonly TimeSpan MicroWarmup = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var arch = new Option<string?>("--arch")
        {
            Description = "Preset (" + string.Join(", ", ArchitecturePresets.All.Keys) + ") or architecture JSON file (default: the weights' architecture file, else tiny); hourglass104 takes seconds per image on a CPU (docs/benchmarks.md).",
        };
        var weights = new Option<string?>("--weights") { Description = "Weights file (default: random weights; timings only)." };
        var batch = new Option<string>("--batch") { Description = "Comma-separated images per call, one row each.", DefaultValueFactory = _ => "1" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: libtorch's choice)." };
        var iterations = new Option<int>("--iterations") { Description = "Timed calls per row.", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed calls first.", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Also write the results to this JSON file." };
        var image = new Option<string?>("--image") { Description = "Image to detect on (default: a generated 640x480 image)." };
        var noTorchDecoder = new Option<bool>("--skip-torch-decoder") { Description = "Don't time the torch-ops decoder in the micro-benchmark." };
        var precision = new Option<string>("--precision") { Description = "Comma-separated precisions (fp32, bf16), rows for each.", DefaultValueFactory = _ => "fp32" };
        var noFold = new Option<bool>("--no-fold") { Description = "Keep BatchNorm as a separate pass (to measure what folding gains)." };
        var nchw = new Option<bool>("--nchw") { Description = "Keep activations NCHW instead of channels-last (to measure what channels-last gains)." };
        var fuse = new Option<bool>("--fuse") { Description = "Run each convolution and the ReLU after it as one oneDNN call (Inference:FuseConvolutions; to measure what fusing gains)." };
        var noHeapReuse = new Option<bool>("--no-heap-reuse") { Description = "Let malloc return freed memory to the kernel (to measure what keeping it gains)." };
        var command = new Command("bench", "Time the detector's stages, decode + NMS, and preprocessing.")
        {
            arch, weights, batch, threads, iterations, warmup, json, image, noTorchDecoder, precision, noFold, nchw, fuse, noHeapReuse,
        };
        var authorsRepo = new Option<string?>("--authors-repo") { Description = "Checkout of princeton-vl/CornerNet (--arch hourglass104) or princeton-vl/CornerNet-Lite (--arch squeeze or saccade): also run the authors' test path on the same image and inputs and print ours / theirs." };
        var crops = new Option<int?>("--crops") { Description = "CornerNet-Saccade: zoom on N crops per image on both sides (attention threshold 0, at most N crops; default: the authors' 0.3 and 30, under which random weights seldom zoom)." };
        command.Options.Add(crops);
        var python = new Option<string>("--python") { Description = "Python with PyTorch for --authors-repo.", DefaultValueFactory = _ => AuthorsReferenceRunner.DefaultPython };
        command.Options.Add(authorsRepo);
        command.Options.Add(python);
        command.SetAction(parse =>
        {
            IReadOnlyList<int> batchSizes;
            IReadOnlyList<InferencePrecision> precisions;
            try
            {
                batchSizes = CommaSeparated.PositiveIntegers(parse.GetValue(batch)!, "--batch");
                precisions = CommaSeparated.Precisions(parse.GetValue(precision)!, "--precision");
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"bench: {e.Message}");
                return 2;
            }

            return Run(
                new BenchOptions
                {
                    Architecture = parse.GetValue(arch),
                    Weights = parse.GetValue(weights),
                    BatchSizes = batchSizes,
                    Precisions = precisions,
                    FoldBatchNorm = !parse.GetValue(noFold),
                    ChannelsLast = !parse.GetValue(nchw),
                    FuseConvolutions = parse.GetValue(fuse),
                    ReuseFreedMemory = !parse.GetValue(noHeapReuse),
                    Threads = parse.GetValue(threads),
                    Iterations = parse.GetValue(iterations),
                    Warmup = parse.GetValue(warmup),
                    JsonPath = parse.GetValue(json),
                    ImagePath = parse.GetValue(image),
                    CompareTorchDecoder = !parse.GetValue(noTorchDecoder),
                    AuthorsRepo = parse.GetValue(authorsRepo),
                    Python = parse.GetValue(python)!,
                    SaccadeCrops = parse.GetValue(crops),
                },
                Console.Out,
                Console.Error);
        });
        return command;
    }

    /// <summary>Runs the benchmark; 0 on success, 2 for invalid arguments or unreadable inputs.</summary>
    public static int Run(BenchOptions options, TextWriter output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArchitectureSpec spec;
        DecodedImage image;
        try
        {
            options.Validate();
            spec = ArchitectureSpec.Resolve(options.ArchitectureOrDefault);
            image = options.ImagePath is null
                ? GeneratedPicture.Pixels(DefaultWidth, DefaultHeight)
                : new ImageLoader().Load(File.ReadAllBytes(options.ImagePath), spec.IsBgr);
            if (options.Weights is not null && !File.Exists(options.Weights)) throw new FileNotFoundException($"Weights file {options.Weights} not found.");
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidImageException or UnauthorizedAccessException)
        {
            errors.WriteLine($"bench: {e.Message}");
            return 2;
        }

        if (options.Threads is { } threadCount) torch.set_num_threads(threadCount);
        var geometry = CanvasGeometry.For(image.Height, image.Width, 1.0, spec.OutputStride);
        List<BenchPipelineRow> pipeline;
        try
        {
            pipeline = PipelineRows(spec, options, image);
        }
        catch (Exception e) when (e is CheckpointFormatException or CheckpointMismatchException or IOException)
        {
            errors.WriteLine($"bench: {options.Weights}: {e.Message}");
            return 2;
        }

        var report = new BenchReport
        {
            Architecture = spec.Name,
            Weights = options.Weights,
            Image = options.ImagePath ?? $"generated {DefaultWidth}x{DefaultHeight}",
            CanvasWidth = geometry.CanvasWidth,
            CanvasHeight = geometry.CanvasHeight,
            Threads = torch.get_num_threads(),
            Warmup = options.Warmup,
            Iterations = options.Iterations,
            LoadAverage = LoadAverage(),
            Pipeline = pipeline,
            SaccadeSettings = options.SaccadeCrops is { } crops ? $"bench --crops {crops}: attention threshold 0, at most {crops} crops" : null,
            DecodeMicro = [],
            PreprocessOnly = PreprocessOnly(spec, image, Math.Max(MicroIterations, options.Iterations), Math.Max(MicroIterations, options.Warmup)),
        };
        var (decodeRows, identical) = DecodeMicro(options);
        report = report with
        {
            DecodeMicro = decodeRows,
            DecodersIdentical = identical,
            ConvolutionFloor = ConvolutionFloor.Measure(options.Precisions, Math.Max(5, options.Iterations)),
            LoadAverageAtEnd = LoadAverage(),
        };

        Print(report, output);
        int exitCode = 0;
        if (options.AuthorsRepo is not null) (report, exitCode) = AuthorsReferenceRunner.Run(report, options, spec, image, output, errors);
        if (options.JsonPath is not null)
        {
            File.WriteAllText(options.JsonPath, JsonSerializer.Serialize(report, JsonOptions));
            output.WriteLine($"written {options.JsonPath}");
        }

        return exitCode;
    }

    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static List<BenchPipelineRow> PipelineRows(ArchitectureSpec spec, BenchOptions options, DecodedImage image)
    {
        var rows = new List<BenchPipelineRow>();
        foreach (var precision in options.Precisions)
        {
            rows.AddRange(PipelineRows(spec, options, options.TuningFor(precision), image));
        }

        return rows;
    }

    private static List<BenchPipelineRow> PipelineRows(ArchitectureSpec spec, BenchOptions options, InferenceTuning tuning, DecodedImage image)
    {
        torch.random.manual_seed(1);
        using var network = new CornerNetNetwork(spec);
        if (options.Weights is not null)
        {
            using var stateDict = PyTorchCheckpointReader.Read(options.Weights);
            ModelWeights.Load(network, stateDict);
        }

        network.PrepareForInference(tuning);
        var detector = Detectors.Create(network, saccade: options.SaccadeSettings);
        var rows = new List<BenchPipelineRow>();
        foreach (int batchSize in options.BatchSizes)
        {
            var images = Enumerable.Repeat(image, batchSize).ToArray();
            for (int i = 0; i < options.Warmup; i++) detector.Detect(images);
            var stages = new double[5][];
            for (int s = 0; s < stages.Length; s++) stages[s] = new double[options.Iterations];
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            double? crops = null;
            for (int i = 0; i < options.Iterations; i++)
            {
                long started = Stopwatch.GetTimestamp();
                var result = detector.Detect(images);
                var timings = result.Timings;
                crops = result.Crops?.Average();
                stages[4][i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds / batchSize;
                stages[0][i] = timings.Preprocess.TotalMilliseconds / batchSize;
                stages[1][i] = timings.Forward.TotalMilliseconds / batchSize;
                stages[2][i] = timings.Decode.TotalMilliseconds / batchSize;
                stages[3][i] = timings.Nms.TotalMilliseconds / batchSize;
            }

            rows.Add(new BenchPipelineRow(
                spec.Name, batchSize, torch.get_num_threads(),
                Median(stages[0]), Median(stages[1]), Median(stages[2]), Median(stages[3]), Median(stages[4]),
                tuning.Precision.ToString().ToLowerInvariant(), network.Tuning!.ToString(),
                (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / (options.Iterations * batchSize), crops));
        }

        return rows;
    }

    /// <summary>
    /// Decode + NMS through the detector on fixed random heads shaped like hourglass104's for a 640x480 image
    /// and its mirror, plus (optionally) the torch-ops decoder alone on the same heads.
    /// </summary>
    private static (List<BenchDecodeRow> Rows, bool? Identical) DecodeMicro(BenchOptions options)
    {
        var spec = ArchitecturePresets.Hourglass104;
        var image = GeneratedPicture.Pixels(DefaultWidth, DefaultHeight);
        var geometry = CanvasGeometry.For(image.Height, image.Width, 1.0);
        int iterations = Math.Max(MicroIterations, options.Iterations);
        var rows = new List<BenchDecodeRow>();
        bool? identical = null;
        using var heads = RandomCornerHeads.Create(2, spec.ClassCount, geometry.OutputHeight, geometry.OutputWidth, HeatLogits.Background, seed: 5);
        string shape = $"2x{spec.ClassCount}x{geometry.OutputHeight}x{geometry.OutputWidth}";

        var detector = new CornerNetDetector(new FixedHeadsNetwork(heads), spec);
        Warmup.Run(() => detector.Detect([image]), Math.Max(MicroIterations, options.Warmup), MicroWarmup);
        var decode = new double[iterations];
        var nms = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            var timings = detector.Detect([image]).Timings;
            decode[i] = timings.Decode.TotalMilliseconds;
            nms[i] = timings.Nms.TotalMilliseconds;
        }

        rows.Add(new BenchDecodeRow("managed", shape, iterations, Median(decode), Median(nms), decode.Zip(nms, (d, n) => d + n).Min()));

        if (options.CompareTorchDecoder)
        {
            var detectorOptions = detector.Options;
            int torchIterations = Math.Min(3, options.Iterations);
            var torchDecode = new double[torchIterations];
            CornerDetection[] reference = [];
            using (torch.inference_mode())
            {
                for (int i = 0; i < torchIterations; i++)
                {
                    using var iteration = torch.NewDisposeScope();
                    long started = Stopwatch.GetTimestamp();
                    reference = CornerDecoder.DecodeWithTorchOps(heads, detectorOptions);
                    torchDecode[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }

                using var managedScope = torch.NewDisposeScope();
                identical = reference.AsSpan().SequenceEqual(CornerDecoder.Decode(heads, detectorOptions));
            }

            rows.Add(new BenchDecodeRow("torch ops (decode only)", shape, torchIterations, Median(torchDecode), null, torchDecode.Min()));
        }

        return (rows, identical);
    }

    private static BenchPreprocessResult PreprocessOnly(ArchitectureSpec spec, DecodedImage image, int iterations, int warmup)
    {
        byte[] jpeg = GeneratedPicture.Jpeg(image);
        var loader = new ImageLoader();
        var withoutDecoding = new double[iterations];
        var withDecoding = new double[iterations];
        Warmup.Run(() => Preprocess(spec, loader.Load(jpeg, spec.IsBgr)), warmup, MicroWarmup);
        for (int i = 0; i < iterations; i++)
        {
            long started = Stopwatch.GetTimestamp();
            Preprocess(spec, image);
            double excluded = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            Preprocess(spec, loader.Load(jpeg, spec.IsBgr));
            double included = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            withoutDecoding[i] = excluded;
            withDecoding[i] = included;
        }

        return new BenchPreprocessResult(image.Width, image.Height, jpeg.Length, iterations, Median(withoutDecoding), Median(withDecoding));
    }

    /// <summary>What the detector's preprocess stage does for one image at scale 1: the canvas and its mirror.</summary>
    private static void Preprocess(ArchitectureSpec spec, DecodedImage image)
    {
        var geometry = CanvasGeometry.For(image.Height, image.Width, 1.0);
        int plane = 3 * geometry.CanvasHeight * geometry.CanvasWidth;
        var buffer = System.Buffers.ArrayPool<float>.Shared.Rent(2 * plane);
        try
        {
            ImagePreprocessor.Fill(image, geometry, spec.Mean, spec.Std, buffer.AsSpan(0, plane), buffer.AsSpan(plane, plane));
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static void Print(BenchReport report, TextWriter output)
    {
        string weights = report.Weights ?? "random (no --weights given: timings are representative, detections are not)";
        output.WriteLine($"CornerNet bench: {report.Architecture}, weights {weights}");
        bool zooms = report.Pipeline.Any(r => r.CropsPerImage is not null);
        output.WriteLine(
            (zooms
                ? $"image {report.Image}: CornerNet-Saccade's two downsized views and its zoom crops (255x255 inputs); torch threads {report.Threads}; "
                : $"image {report.Image} (canvas {report.CanvasWidth}x{report.CanvasHeight}) with its mirror; torch threads {report.Threads}; ") +
            $"warm-up {report.Warmup}, {report.Iterations} timed; median ms per image" +
            (report.LoadAverage is { } load ? $"; load average {string.Join(" ", load.Select(l => l.ToString("F2", CultureInfo.InvariantCulture)))}" : ""));
        output.WriteLine();
        output.WriteLine($"network: {string.Join("; ", report.Pipeline.Select(r => r.Tuning).Distinct())}");
        output.WriteLine(Line("arch", "precision", "batch", "threads", "preprocess", "forward", "decode", "nms", "end-to-end", "cpu"));
        foreach (var row in report.Pipeline)
        {
            output.WriteLine(Line(row.Architecture, row.Precision, Int(row.BatchSize), Int(row.Threads), Ms(row.PreprocessMs), Ms(row.ForwardMs), Ms(row.DecodeMs), Ms(row.NmsMs), Ms(row.EndToEndMs), row.CpuMs is { } cpu ? Ms(cpu) : "-"));
        }

        if (zooms)
        {
            output.WriteLine(
                $"zoom crops per image: {string.Join(", ", report.Pipeline.Select(r => $"{r.Precision} batch {Int(r.BatchSize)}: {r.CropsPerImage?.ToString("0.#", CultureInfo.InvariantCulture)}").Distinct())}" +
                $" ({report.SaccadeSettings ?? "the authors' attention threshold 0.3, at most 30"})");
        }

        if (FusedConvolution.UnavailableReason is { } reason) output.WriteLine($"convolutions not fused: {reason}");
        output.WriteLine();
        output.WriteLine($"convolution floor, same run: 3x3 {(report.ConvolutionFloor.Count > 0 ? report.ConvolutionFloor[0].Shape : "")} channels-last, median ms; " +
                         $"hourglass104's {ConvolutionFloor.Hourglass104Flops / 1e12:F2} TFLOP per image + mirror at that rate:");
        output.WriteLine(Line("precision", "conv", "conv, relu", "fused", "GFLOP/s", "hg104 floor"));
        foreach (var row in report.ConvolutionFloor)
        {
            output.WriteLine(Line(row.Precision, Ms(row.ConvMs), Ms(row.ConvReluMs), row.FusedMs is { } f ? Ms(f) : "-", row.Gflops.ToString("F0", CultureInfo.InvariantCulture), Ms(row.FloorMs)));
        }

        if (report.LoadAverageAtEnd is { } end) output.WriteLine($"load average at the end: {string.Join(" ", end.Select(l => l.ToString("F2", CultureInfo.InvariantCulture)))}");
        output.WriteLine();
        output.WriteLine("decode + NMS alone, hourglass104-shaped random heads (image + mirror), median ms per image:");
        output.WriteLine(Line("decoder", "heads", "iterations", "decode", "nms", "decode+nms", "fastest"));
        foreach (var row in report.DecodeMicro)
        {
            output.WriteLine(Line(row.Decoder, row.HeadsShape, Int(row.Iterations), Ms(row.DecodeMs), row.NmsMs is { } n ? Ms(n) : "-", row.NmsMs is { } m ? Ms(row.DecodeMs + m) : "-", Ms(row.FastestMs)));
        }

        if (report.DecodersIdentical is { } identical) output.WriteLine($"managed and torch-ops decoder outputs bit-identical: {(identical ? "yes" : "NO")}");
        output.WriteLine();
        var p = report.PreprocessOnly;
        output.WriteLine(
            $"preprocess only, {p.Width}x{p.Height} with mirror, median of {p.Iterations}: decoded image {Ms(p.DecodedImageMs)} ms; " +
            $"JPEG ({p.JpegBytes} bytes, decode included) {Ms(p.JpegMs)} ms");
    }

    private static string Line(params string[] cells) =>
        string.Join(" ", cells.Select((c, i) => i == 0 ? c.PadRight(24) : c.PadLeft(12)));

    private static string Ms(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double[]? LoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg")) return null;
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
