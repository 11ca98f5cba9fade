using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;

namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>
/// <c>bench --authors-repo PATH [--python PATH]</c>: after our rows, runs the authors' test-time path
/// (princeton-vl/CornerNet, imported from PATH by <c>AuthorsReference/authors_reference.py</c> under Debian's
/// PyTorch) on the same image with the same weights, threads, warm-up and iterations, and reports their timings,
/// the ratios ours / theirs and how many of their detections ours reproduce.
/// </summary>
public static class AuthorsReferenceRunner
{
    public const string DefaultPython = "/usr/bin/python3";

    public const float PixelTolerance = 2f;

    public const float ScoreTolerance = 0.02f;

    /// <summary>What the report says about the weights when none were given.</summary>
    public const string RandomWeightsDescription =
        "random weights of our network, written for both sides";

    /// <summary>Files whose presence marks a checkout of the authors' repository.</summary>
    public static IReadOnlyList<string> RequiredFiles { get; } =
        ["models/CornerNet.py", "models/py_utils/kp.py", "models/py_utils/kp_utils.py", "test/coco.py", "utils/image.py", "external/nms.pyx"];

    /// <summary>Files whose presence marks a checkout of princeton-vl/CornerNet-Lite (for the squeeze family).</summary>
    public static IReadOnlyList<string> LiteRequiredFiles { get; } =
        ["core/models/CornerNet_Squeeze.py", "core/models/py_utils/modules.py", "core/test/cornernet.py", "configs/CornerNet_Squeeze.json", "core/external/nms.pyx"];

    /// <summary>Files of princeton-vl/CornerNet-Lite the saccade family's side needs.</summary>
    public static IReadOnlyList<string> SaccadeRequiredFiles { get; } =
        ["core/models/CornerNet_Saccade.py", "core/models/py_utils/modules.py", "core/test/cornernet_saccade.py", "configs/CornerNet_Saccade.json", "core/external/nms.pyx"];

    /// <summary>The script beside the program (copied there by the build).</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "AuthorsReference", "authors_reference.py");

    /// <summary>The CornerNet-Lite script for the squeeze family (it also reports and checks their BLAS).</summary>
    public static string LiteScriptPath => Path.Combine(AppContext.BaseDirectory, "AuthorsReference", "authors_reference_lite.py");

    /// <summary>The CornerNet-Saccade script (it imports the CornerNet-Lite one beside it).</summary>
    public static string SaccadeScriptPath => Path.Combine(AppContext.BaseDirectory, "AuthorsReference", "authors_reference_saccade.py");

    private static string ScriptFor(ArchitectureSpec spec) => spec.Family switch
    {
        NetworkFamily.Squeeze => LiteScriptPath,
        NetworkFamily.Saccade => SaccadeScriptPath,
        _ => ScriptPath,
    };

    /// <summary>The authors' test function each family's side runs.</summary>
    public static string ProcedureFor(NetworkFamily family) => family switch
    {
        NetworkFamily.Squeeze => "cornernet_inference",
        NetworkFamily.Saccade => "cornernet_saccade_inference",
        _ => "kp_detection",
    };

    private static readonly JsonSerializerOptions ScriptJson = new() { PropertyNameCaseInsensitive = true };

    /// <summary>
    /// Runs their side for <paramref name="report"/>'s image and returns the report with its <c>Authors</c> section,
    /// and 0; or prints one message to <paramref name="errors"/> and returns the report unchanged and 2.
    /// </summary>
    public static (BenchReport Report, int ExitCode) Run(
        BenchReport report, BenchOptions options, ArchitectureSpec spec, DecodedImage image, TextWriter output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        string? folder = null;
        try
        {
            string repositoryPath = options.AuthorsRepo ?? throw new ArgumentException("No --authors-repo given.");
            string repository = spec.Family switch
            {
                NetworkFamily.Squeeze => CheckLiteRepository(repositoryPath),
                NetworkFamily.Saccade => CheckLiteRepository(repositoryPath, SaccadeRequiredFiles),
                _ => CheckRepository(repositoryPath),
            };
            string python = ResolvePython(options.Python);
            CheckArchitecture(spec);
            string script = ScriptFor(spec);
            if (!File.Exists(script)) throw new AuthorsReferenceException($"the script {script} is missing from the build output.");

            folder = Directory.CreateTempSubdirectory("cornernet-authors-").FullName;
            string png = Path.Combine(folder, "image.png");
            WritePng(image, spec.IsBgr, png);
            string? weightsForBoth = options.Weights;
            output.WriteLine();
            output.WriteLine(weightsForBoth is null
                ? "authors' code side by side: our detections with random weights, which are written for their side too..."
                : "authors' code side by side: our detections with these weights...");
            var ours = OurDetections(spec, options, image, weightsForBoth is null ? Path.Combine(folder, "random.pth") : null);
            weightsForBoth ??= Path.Combine(folder, "random.pth");

            output.WriteLine($"running their {ProcedureFor(spec.Family)} with {python} ({report.Threads} threads, warm-up {report.Warmup}, {report.Iterations} timed)...");
            var request = new AuthorsScriptRequest(python, script, repository, png, weightsForBoth, report.Threads, report.Warmup, report.Iterations)
            {
                SaccadeCrops = spec.Family == NetworkFamily.Saccade ? options.SaccadeCrops : null,
            };
            string raw = RunScript(request, line => output.WriteLine("  " + line));
            var theirs = Parse(raw);
            var section = Compare(report, theirs, ours.Detections, options.Weights ?? RandomWeightsDescription) with
            {
                Procedure = ProcedureFor(spec.Family),
                OurCrops = ours.Crops,
                TheirCrops = theirs.Crops,
            };
            Print(section, output);
            if (options.JsonPath is not null)
            {
                string rawPath = RawOutputPath(options.JsonPath);
                File.WriteAllText(rawPath, raw);
                output.WriteLine($"their raw output written to {rawPath}");
            }

            return (report with { Authors = section }, 0);
        }
        catch (Exception e) when (e is AuthorsReferenceException or ArgumentException or IOException or UnauthorizedAccessException
                                      or CheckpointFormatException or CheckpointMismatchException)
        {
            errors.WriteLine($"bench: authors' reference: {e.Message}");
            return (report, 2);
        }
        finally
        {
            if (folder is not null)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // a temporary folder left behind is harmless
                }
            }
        }
    }

    /// <summary>Where the script's own JSON goes beside the report's: bench.json → bench.authors.json.</summary>
    public static string RawOutputPath(string jsonPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!, Path.GetFileNameWithoutExtension(jsonPath) + ".authors.json");

    /// <summary>The full path of the authors' checkout; throws naming what is missing.</summary>
    public static string CheckRepository(string path)
    {
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new AuthorsReferenceException(
                $"--authors-repo {path}: no such folder (get their code with: git clone https://github.com/princeton-vl/CornerNet {path}).");
        }

        var missing = RequiredFiles.Where(f => !File.Exists(Path.Combine(full, f))).ToArray();
        if (missing.Length > 0)
        {
            throw new AuthorsReferenceException(
                $"--authors-repo {path} is not a checkout of princeton-vl/CornerNet (missing {string.Join(", ", missing)}).");
        }

        return full;
    }

    /// <summary>The full path of a CornerNet-Lite checkout; throws naming what is missing of <paramref name="files"/>
    /// (by default <see cref="LiteRequiredFiles"/>).</summary>
    public static string CheckLiteRepository(string path, IReadOnlyList<string>? files = null)
    {
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new AuthorsReferenceException(
                $"--authors-repo {path}: no such folder (get their code with: git clone https://github.com/princeton-vl/CornerNet-Lite {path}).");
        }

        var missing = (files ?? LiteRequiredFiles).Where(f => !File.Exists(Path.Combine(full, f))).ToArray();
        if (missing.Length > 0)
        {
            throw new AuthorsReferenceException(
                $"--authors-repo {path} is not a checkout of princeton-vl/CornerNet-Lite (missing {string.Join(", ", missing)}).");
        }

        return full;
    }

    /// <summary>The interpreter's path: as given when it contains a slash, else looked up on PATH.</summary>
    public static string ResolvePython(string python)
    {
        if (string.IsNullOrWhiteSpace(python)) throw new AuthorsReferenceException("--python is empty.");
        if (python.Contains('/'))
        {
            return File.Exists(python)
                ? python
                : throw new AuthorsReferenceException($"--python {python}: not found (Debian: apt-get install python3 python3-torch).");
        }

        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, python);
            if (File.Exists(candidate)) return candidate;
        }

        throw new AuthorsReferenceException($"--python {python}: not found on PATH.");
    }

    /// <summary>Their models/CornerNet.py hard-codes hourglass-104 with 80 COCO classes and BGR input (CornerNet-Lite's
    /// model files their CornerNet-Squeeze and CornerNet-Saccade likewise).</summary>
    public static void CheckArchitecture(ArchitectureSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var reference = spec.Family switch
        {
            NetworkFamily.Squeeze => ArchitecturePresets.Squeeze,
            NetworkFamily.Saccade => ArchitecturePresets.Saccade,
            _ => ArchitecturePresets.Hourglass104,
        };
        bool same = spec.Family == reference.Family && spec.Depth == reference.Depth && spec.Stacks == reference.Stacks
            && spec.Dims.SequenceEqual(reference.Dims) && spec.Modules.SequenceEqual(reference.Modules)
            && spec.CnvDim == reference.CnvDim && spec.StemDim == reference.StemDim && spec.PoolDim == reference.PoolDim && spec.AttDim == reference.AttDim
            && spec.ClassCount == reference.ClassCount && spec.IsBgr
            && spec.Mean.SequenceEqual(reference.Mean) && spec.Std.SequenceEqual(reference.Std);
        if (!same)
        {
            throw new AuthorsReferenceException(spec.Family switch
            {
                NetworkFamily.Squeeze => $"their core/models/CornerNet_Squeeze.py hard-codes CornerNet-Squeeze (80 COCO classes, BGR, COCO mean/std); run with --arch squeeze (got {spec.Name}).",
                NetworkFamily.Saccade => $"their core/models/CornerNet_Saccade.py hard-codes CornerNet-Saccade (80 COCO classes, BGR, COCO mean/std); run with --arch saccade (got {spec.Name}).",
                _ => $"their models/CornerNet.py hard-codes hourglass104 (80 COCO classes, BGR, COCO mean/std); run with --arch hourglass104 (got {spec.Name}).",
            });
        }
    }

    /// <summary>One run of the script: its stdout, or an exception with its error message (or its stderr's end).</summary>
    /// <param name="progress">Receives their per-iteration lines as they come (called from another thread).</param>
    public static string RunScript(AuthorsScriptRequest request, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var start = new ProcessStartInfo(request.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in request.Arguments()) start.ArgumentList.Add(argument);
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";  // nothing written into their checkout
        start.Environment["PYTHONUNBUFFERED"] = "1";

        var tail = new Queue<string>();
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (tail)
            {
                tail.Enqueue(e.Data);
                if (tail.Count > 20) tail.Dequeue();
            }

            if (e.Data.StartsWith("their ", StringComparison.Ordinal)) progress?.Invoke(e.Data);
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new AuthorsReferenceException($"cannot start {request.Python}: {e.Message}.");
        }

        process.BeginErrorReadLine();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string stderr;
        lock (tail) stderr = string.Join("\n", tail.Select(l => "  " + l));
        string? error = TryReadError(stdout);
        if (error is not null) throw new AuthorsReferenceException(error);
        if (process.ExitCode != 0)
        {
            throw new AuthorsReferenceException(
                $"{Path.GetFileName(request.Script)} failed (exit code {process.ExitCode}); the end of its error output:\n{stderr}");
        }

        return stdout;
    }

    private static string? TryReadError(string stdout)
    {
        try
        {
            var output = JsonSerializer.Deserialize<AuthorsScriptOutput>(stdout, ScriptJson);
            return output?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads the script's JSON; throws <see cref="AuthorsReferenceException"/> when it is not a complete result.</summary>
    public static AuthorsScriptOutput Parse(string json)
    {
        AuthorsScriptOutput? output;
        try
        {
            output = JsonSerializer.Deserialize<AuthorsScriptOutput>(json, ScriptJson);
        }
        catch (JsonException e)
        {
            throw new AuthorsReferenceException($"the script's output is not JSON: {e.Message}");
        }

        if (output is null) throw new AuthorsReferenceException("the script printed nothing.");
        if (output.Error is not null) throw new AuthorsReferenceException(output.Error);
        string[] stages = ["preprocess", "forward", "decode", "postprocess", "endToEnd"];
        var absent = stages.Where(s => output.TimingsMs?.ContainsKey(s) != true).ToArray();
        if (absent.Length > 0 || output.TorchVersion is null || output.CornerPools is null || output.Detections is null || output.DetectionsIntended is null)
        {
            throw new AuthorsReferenceException(
                "the script's output lacks " + (absent.Length > 0 ? "the timings " + string.Join(", ", absent) : "torchVersion, cornerPools or detections") + ".");
        }

        return output;
    }

    /// <summary>The report section: their medians, ours from our batch-1 rows (fp32 first; else our first row), ratios and matches.</summary>
    public static AuthorsReferenceReport Compare(BenchReport report, AuthorsScriptOutput theirs, IReadOnlyList<Detection>? ours, string weights)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(theirs);
        if (report.Pipeline.Count == 0) throw new ArgumentException("The report has no pipeline row to compare with.", nameof(report));
        var t = theirs.TimingsMs!;
        var rows = report.Pipeline.Where(r => r.BatchSize == 1).OrderBy(r => r.Precision == "fp32" ? 0 : 1).ToList();
        if (rows.Count == 0) rows.Add(report.Pipeline[0]);
        var ratios = rows.Select(r => new AuthorsRatio(
            r.Precision, r.BatchSize, r.ForwardMs, r.EndToEndMs, r.ForwardMs / t["forward"].Median, r.EndToEndMs / t["endToEnd"].Median)).ToList();
        var row = ratios[0];
        AuthorsDetectionComparison? comparison = null;
        if (ours is not null)
        {
            var intended = theirs.DetectionsIntended!;
            var asKept = theirs.Detections!;
            int matched = CountMatched(intended, ours);
            int matchedAsKept = CountMatched(asKept, ours);
            comparison = new AuthorsDetectionComparison(
                intended.Count, ours.Count, matched, Share(matched, intended.Count),
                asKept.Count, matchedAsKept, Share(matchedAsKept, asKept.Count), theirs.StaleRows,
                PixelTolerance, ScoreTolerance);
        }

        return new AuthorsReferenceReport
        {
            Repository = theirs.AuthorsRepo ?? "",
            Commit = theirs.AuthorsCommit,
            TorchVersion = theirs.TorchVersion!,
            Blas = theirs.Blas is { } blas ? $"{blas.Kind} ({string.Join(", ", blas.Libraries ?? [])})" : null,
            Python = theirs.Python ?? "",
            Threads = theirs.Threads,
            CornerPools = theirs.CornerPools!.Kind,
            CornerPoolsDetail = theirs.CornerPools.Detail,
            Nms = theirs.Nms?.Kind ?? "",
            Weights = weights,
            InputShape = theirs.InputShape is { } shape ? string.Join("x", shape) : "",
            Warmup = theirs.Warmup,
            Iterations = theirs.Iterations,
            PreprocessMs = t["preprocess"].Median,
            ForwardMs = t["forward"].Median,
            DecodeMs = t["decode"].Median,
            PostprocessMs = t["postprocess"].Median,
            EndToEndMs = t["endToEnd"].Median,
            FastestEndToEndMs = t["endToEnd"].Min,
            OurBatchSize = row.BatchSize,
            OurPrecision = row.Precision,
            OurForwardMs = row.OurForwardMs,
            OurEndToEndMs = row.OurEndToEndMs,
            ForwardRatio = row.ForwardRatio,
            EndToEndRatio = row.EndToEndRatio,
            Ratios = ratios,
            Detections = comparison,
        };
    }

    private static double? Share(int matched, int total) => total == 0 ? null : (double)matched / total;

    /// <summary>
    /// How many of <paramref name="theirs"/> (taken best first) have a detection of ours of the same class with every
    /// coordinate within <paramref name="pixels"/> and the score within <paramref name="score"/>; each of ours matches
    /// at most one of theirs, the closest in coordinates.
    /// </summary>
    public static int CountMatched(IReadOnlyList<AuthorsDetection> theirs, IReadOnlyList<Detection> ours, float pixels = PixelTolerance, float score = ScoreTolerance)
    {
        ArgumentNullException.ThrowIfNull(theirs);
        ArgumentNullException.ThrowIfNull(ours);
        var used = new bool[ours.Count];
        int matched = 0;
        foreach (var their in theirs.OrderByDescending(d => d.Score))
        {
            int best = -1;
            float bestDistance = float.MaxValue;
            for (int i = 0; i < ours.Count; i++)
            {
                var our = ours[i];
                if (used[i] || our.ClassIndex != their.ClassIndex || Math.Abs(our.Score - their.Score) > score) continue;
                float distance = new[]
                {
                    Math.Abs(our.X1 - their.Bbox[0]), Math.Abs(our.Y1 - their.Bbox[1]),
                    Math.Abs(our.X2 - their.Bbox[2]), Math.Abs(our.Y2 - their.Bbox[3]),
                }.Max();
                if (distance <= pixels && distance < bestDistance)
                {
                    best = i;
                    bestDistance = distance;
                }
            }

            if (best < 0) continue;
            used[best] = true;
            matched++;
        }

        return matched;
    }

    public static void Print(AuthorsReferenceReport a, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(
            $"authors' code (princeton-vl/{(a.Procedure == "kp_detection" ? "CornerNet" : "CornerNet-Lite")} at {a.Repository}{(a.Commit is null ? "" : ", commit " + a.Commit[..Math.Min(12, a.Commit.Length)])}), " +
            $"PyTorch {a.TorchVersion}, {a.Threads} threads, input {a.InputShape}; corner pools: {a.CornerPools}" +
            $"{(a.CornerPools == "stand-in" ? " (ours in place of their C++ extension: the same ATen calls, from Python)" : " (their C++ extension)")}; soft-NMS: {a.Nms}");
        if (a.Blas is not null) output.WriteLine($"their BLAS: {a.Blas}");
        output.WriteLine(a.Procedure == "kp_detection"
            ? $"their kp_detection, median ms per image with its mirror (warm-up {a.Warmup}, {a.Iterations} timed):"
            : $"their {a.Procedure}, median ms per image (warm-up {a.Warmup}, {a.Iterations} timed):");
        if (a.OurCrops is not null || a.TheirCrops is not null)
        {
            output.WriteLine($"zoom crops of the image: ours {a.OurCrops?.ToString(CultureInfo.InvariantCulture) ?? "-"}, theirs {a.TheirCrops?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        }

        output.WriteLine(
            $"  preprocess {Ms(a.PreprocessMs)}, forward {Ms(a.ForwardMs)}, decode {Ms(a.DecodeMs)}, " +
            $"soft-NMS and rest {Ms(a.PostprocessMs)}, end-to-end {Ms(a.EndToEndMs)} (fastest {Ms(a.FastestEndToEndMs)})");
        foreach (var r in a.Ratios)
        {
            output.WriteLine(
                $"ours / theirs (our {r.Precision} batch-{r.BatchSize} row; above 1 ours is slower): forward {Ratio(r.ForwardRatio)} " +
                $"({Ms(r.OurForwardMs)} / {Ms(a.ForwardMs)} ms), end-to-end {Ratio(r.EndToEndRatio)} ({Ms(r.OurEndToEndMs)} / {Ms(a.EndToEndMs)} ms)");
        }
        if (a.Detections is { Theirs: 0, Ours: 0 })
        {
            output.WriteLine($"detections ({a.Weights}): none on either side, so none to compare (random weights seldom pair corners into boxes; give trained --weights)");
        }
        else if (a.Detections is { } d)
        {
            output.WriteLine(
                $"detections ({a.Weights}): ours match {d.Matched} of their {d.Theirs} ({Percent(d.Share)}; same class, corners within " +
                $"{d.PixelTolerance.ToString("0.##", CultureInfo.InvariantCulture)} px, score within {d.ScoreTolerance.ToString("0.###", CultureInfo.InvariantCulture)}; we have {d.Ours}); " +
                $"against their output as it stands ({d.TheirsAsKept} rows, {d.StaleRows} stale soft-NMS rows in play): {d.MatchedAsKept} ({Percent(d.ShareAsKept)})");
        }
    }

    /// <summary>Our detections on the image (and the zoom crops it took, saccade family) with the given weights, or with
    /// random weights that are then written to <paramref name="randomWeightsPath"/> for their side.</summary>
    private static (IReadOnlyList<Detection> Detections, int? Crops) OurDetections(ArchitectureSpec spec, BenchOptions options, DecodedImage image, string? randomWeightsPath)
    {
        torch.random.manual_seed(1);
        using var network = new CornerNetNetwork(spec);
        if (options.Weights is not null)
        {
            using var stateDict = PyTorchCheckpointReader.Read(options.Weights);
            ModelWeights.Load(network, stateDict);
        }
        else if (randomWeightsPath is not null)
        {
            PyTorchCheckpointWriter.Write(randomWeightsPath, ModelWeights.Entries(network).Select(e => KeyValuePair.Create(e.Key, e.Value)));
        }

        var result = Detectors.Create(network, saccade: options.SaccadeSettings).Detect([image]);
        return (result.Images[0], result.Crops?[0]);
    }

    /// <summary>The decoded pixels as a PNG that cv2.imread reads back to the same bytes (BGR for the authors).</summary>
    public static void WritePng(DecodedImage image, bool pixelsAreBgr, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (pixelsAreBgr)
        {
            using var bgr = SixLabors.ImageSharp.Image.LoadPixelData<Bgr24>(image.Pixels, image.Width, image.Height);
            bgr.SaveAsPng(path);
        }
        else
        {
            using var rgb = SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
            rgb.SaveAsPng(path);
        }
    }

    private static string Ms(double ms) => ms.ToString("F1", CultureInfo.InvariantCulture);

    private static string Ratio(double ratio) => ratio.ToString("F2", CultureInfo.InvariantCulture) + "x";

    private static string Percent(double? share) => share is null ? "-" : (100 * share.Value).ToString("F1", CultureInfo.InvariantCulture) + " %";
}
