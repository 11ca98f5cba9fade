using System.Diagnostics;
using System.Text.Json;
using CornerNet.Benchmarks;
using CornerNet.Benchmarks.AuthorsReference;
using CornerNet.Model.Architecture;
using CornerNet.Model.Inference;
using CornerNet.Tools.Common;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Tools.Tests.Benchmarks;

/// <summary>
/// <c>bench --authors-repo</c>. The authors' repository is never needed here (CI has no network): the error paths run
/// for real, the script runs for real without a checkout (its corner-pool self-check, its refusal of a folder that is
/// not their repository), and the parsing, ratios and matching run on a recorded output of the real side-by-side run
/// (tests/fixtures/authors-reference, made by hand with their checkout, see its README).
/// </summary>
public sealed class AuthorsReferenceRunnerTests : IDisposable
{
    private const string DebianPython = "/usr/bin/python3";

    private readonly string _folder = Directory.CreateTempSubdirectory("authors-reference-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_script_is_copied_beside_the_program()
    {
        Assert.True(File.Exists(AuthorsReferenceRunner.ScriptPath), AuthorsReferenceRunner.ScriptPath);
        Assert.Equal(
            File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tools", "CornerNet.Benchmarks", "AuthorsReference", "authors_reference.py")),
            File.ReadAllText(AuthorsReferenceRunner.ScriptPath));
    }

    [Fact]
    public void A_missing_repository_exits_with_code_2_and_one_message_after_our_rows()
    {
        string json = Path.Combine(_folder, "bench.json");
        var output = new StringWriter();
        var errors = new StringWriter();

        int exit = BenchCommand.Run(TinyOptions() with { AuthorsRepo = Path.Combine(_folder, "CornerNet"), JsonPath = json }, output, errors);

        Assert.Equal(2, exit);
        Assert.Equal(
            $"bench: authors' reference: --authors-repo {Path.Combine(_folder, "CornerNet")}: no such folder " +
            $"(get their code with: git clone https://github.com/princeton-vl/CornerNet {Path.Combine(_folder, "CornerNet")}).",
            errors.ToString().Trim());
        Assert.Contains(output.ToString().Split('\n'), l => l.StartsWith("tiny ", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("authors").ValueKind);
        Assert.Single(document.RootElement.GetProperty("pipeline").EnumerateArray());
    }

    [Fact]
    public void A_folder_that_is_not_their_repository_is_refused_naming_what_is_missing()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "models"));
        File.WriteAllText(Path.Combine(_folder, "models", "CornerNet.py"), "");

        var e = Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.CheckRepository(_folder));

        Assert.Contains("is not a checkout of princeton-vl/CornerNet", e.Message);
        Assert.Contains("models/py_utils/kp.py", e.Message);
        Assert.DoesNotContain("models/CornerNet.py", e.Message);
    }

    [Fact]
    public void A_missing_python_exits_with_code_2_naming_it()
    {
        string repository = FakeRepository();
        string python = Path.Combine(_folder, "no-python");
        var errors = new StringWriter();

        int exit = BenchCommand.Run(TinyOptions() with { AuthorsRepo = repository, Python = python }, new StringWriter(), errors);

        Assert.Equal(2, exit);
        Assert.StartsWith($"bench: authors' reference: --python {python}: not found", errors.ToString());
    }

    [Fact]
    public void Another_architecture_than_hourglass104_is_refused_because_their_model_file_hard_codes_it()
    {
        var errors = new StringWriter();

        int exit = BenchCommand.Run(TinyOptions() with { AuthorsRepo = FakeRepository(), Python = "/bin/sh" }, new StringWriter(), errors);

        Assert.Equal(2, exit);
        Assert.Contains("hard-codes hourglass104", errors.ToString());
        Assert.Contains("(got tiny)", errors.ToString());
        AuthorsReferenceRunner.CheckArchitecture(CornerNet.Model.Architecture.ArchitecturePresets.Hourglass104);
    }

    [Fact]
    public void The_scripts_own_error_message_is_what_is_reported()
    {
        string python = FakePython(
            "echo 'Traceback: noise' >&2",
            "echo '{\"error\": \"/usr/bin/python3 cannot import torch (No module named torch); Debian: apt-get install python3-torch\", \"kind\": \"torch-missing\"}'",
            "exit 2");

        var e = Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.RunScript(Request(python)));

        Assert.Equal("/usr/bin/python3 cannot import torch (No module named torch); Debian: apt-get install python3-torch", e.Message);
    }

    [Fact]
    public void A_script_that_dies_without_json_is_reported_with_the_end_of_its_error_output()
    {
        string python = FakePython("echo 'first line' >&2", "echo 'Segmentation fault' >&2", "exit 139");

        var e = Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.RunScript(Request(python)));

        Assert.StartsWith("authors_reference.py failed (exit code 139)", e.Message);
        Assert.Contains("Segmentation fault", e.Message);
    }

    [Fact]
    public void An_interpreter_that_cannot_start_is_reported()
    {
        string notExecutable = Path.Combine(_folder, "python");
        File.WriteAllText(notExecutable, "not a program");

        var e = Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.RunScript(Request(notExecutable)));

        Assert.StartsWith($"cannot start {notExecutable}", e.Message);
    }

    [Fact]
    [Trait(TestCategories.Category, TestCategories.External)]
    public void The_real_script_refuses_a_folder_that_is_not_their_repository()
    {
        string repository = Path.Combine(_folder, "not-theirs");
        Directory.CreateDirectory(repository);

        var e = Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.RunScript(Request(DebianPython, repository)));

        Assert.Equal(
            $"{repository} is not a checkout of princeton-vl/CornerNet (missing models/CornerNet.py, models/py_utils/kp.py, " +
            "models/py_utils/kp_utils.py, models/py_utils/_cpools/__init__.py, test/coco.py, utils/image.py, external/nms.pyx)",
            e.Message);
    }

    [Fact]
    [Trait(TestCategories.Category, TestCategories.External)]
    public void The_corner_pool_stand_in_equals_the_pools_recurrence_in_real_torch()
    {
        var start = new ProcessStartInfo(DebianPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(AuthorsReferenceRunner.ScriptPath);
        start.ArgumentList.Add("--self-check");
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stdout} {stderr} (needs apt-get install python3-torch)");
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal("stand-in", document.RootElement.GetProperty("cornerPools").GetProperty("kind").GetString());
    }

    [Fact]
    public void The_recorded_run_parses_and_gives_the_ratios_of_our_batch_1_row()
    {
        var theirs = AuthorsReferenceRunner.Parse(File.ReadAllText(RepositoryPaths.Fixture("authors-reference", "hourglass104_640x480.json")));
        var report = Report(
            new BenchPipelineRow("hourglass104", 1, 2, 3, 15_000, 9, 1, 15_100, Precision: "bf16"),
            new BenchPipelineRow("hourglass104", 2, 2, 1, 99_999, 1, 1, 99_999),
            new BenchPipelineRow("hourglass104", 1, 2, 3, 20_000, 9, 1, 20_100));

        var section = AuthorsReferenceRunner.Compare(report, theirs, [], "w.pth");

        Assert.Equal("stand-in", section.CornerPools);
        Assert.Equal("2x3x511x767", section.InputShape);
        Assert.Equal(2, section.Threads);
        Assert.Equal((1, "fp32"), (section.OurBatchSize, section.OurPrecision));
        Assert.Equal(["fp32", "bf16"], section.Ratios.Select(r => r.Precision));
        Assert.Equal(15_000 / section.ForwardMs, section.Ratios[1].ForwardRatio, 12);
        Assert.Equal(theirs.TimingsMs!["forward"].Median, section.ForwardMs);
        Assert.Equal(20_000 / section.ForwardMs, section.ForwardRatio, 12);
        Assert.Equal(20_100 / section.EndToEndMs, section.EndToEndRatio, 12);
        Assert.True(section.ForwardMs > 1000 && section.EndToEndMs >= section.ForwardMs + section.DecodeMs);
        Assert.Equal(theirs.DetectionsIntended!.Count, section.Detections!.Theirs);

        var printed = new StringWriter();
        AuthorsReferenceRunner.Print(section, printed);
        Assert.Contains($"ours / theirs (our fp32 batch-1 row; above 1 ours is slower): forward {section.ForwardRatio:F2}x", printed.ToString());
        Assert.Contains($"ours / theirs (our bf16 batch-1 row; above 1 ours is slower): forward {section.Ratios[1].ForwardRatio:F2}x", printed.ToString());

        // random weights: neither side finds a box, and the report says so rather than claiming 100 %
        Assert.Empty(theirs.DetectionsIntended);
        Assert.Null(section.Detections.Share);
        Assert.Contains("none on either side, so none to compare", printed.ToString());
    }

    [Fact]
    public void Output_without_timings_or_not_json_is_refused()
    {
        Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.Parse("Traceback (most recent call last):"));
        var e = Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.Parse("{\"torchVersion\": \"1.13\", \"timingsMs\": {}}"));
        Assert.Contains("preprocess", e.Message);
        Assert.Equal("boom", Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.Parse("{\"error\": \"boom\", \"kind\": \"failure\"}")).Message);
    }

    [Fact]
    public void Detections_match_within_2_pixels_and_0_02_in_score_with_the_same_class_each_of_ours_once()
    {
        AuthorsDetection Theirs(int c, float s, float x1) => new(c, s, [x1, 20, x1 + 50, 80]);
        Detection Ours(int c, float s, float x1, float dy = 0) => new(c, "x", s, x1, 20 + dy, x1 + 50, 80);

        Assert.Equal(1, AuthorsReferenceRunner.CountMatched([Theirs(3, 0.9f, 10)], [Ours(3, 0.9f, 10)]));
        Assert.Equal(1, AuthorsReferenceRunner.CountMatched([Theirs(3, 0.9f, 10)], [Ours(3, 0.885f, 11.9f, dy: -1.9f)]));
        Assert.Equal(0, AuthorsReferenceRunner.CountMatched([Theirs(3, 0.9f, 10)], [Ours(3, 0.9f, 12.1f)]));
        Assert.Equal(0, AuthorsReferenceRunner.CountMatched([Theirs(3, 0.9f, 10)], [Ours(3, 0.9f, 10, dy: 2.1f)]));
        Assert.Equal(0, AuthorsReferenceRunner.CountMatched([Theirs(3, 0.9f, 10)], [Ours(3, 0.875f, 10)]));
        Assert.Equal(0, AuthorsReferenceRunner.CountMatched([Theirs(3, 0.9f, 10)], [Ours(4, 0.9f, 10)]));
        // one of ours cannot stand for two of theirs; the closer of ours goes to the better of theirs
        Assert.Equal(1, AuthorsReferenceRunner.CountMatched([Theirs(3, 0.9f, 10), Theirs(3, 0.89f, 10.5f)], [Ours(3, 0.9f, 10)]));
        Assert.Equal(2, AuthorsReferenceRunner.CountMatched([Theirs(3, 0.9f, 10), Theirs(3, 0.89f, 11.5f)], [Ours(3, 0.895f, 11.5f), Ours(3, 0.9f, 10)]));
        Assert.Equal(0, AuthorsReferenceRunner.CountMatched([], [Ours(3, 0.9f, 10)]));
    }

    [Fact]
    public void The_comparison_counts_against_both_of_their_outputs()
    {
        var theirs = AuthorsReferenceRunner.Parse(File.ReadAllText(RepositoryPaths.Fixture("authors-reference", "hourglass104_640x480.json"))) with
        {
            Detections = [new(1, 0.8f, [1, 2, 30, 40]), new(1, 0.5f, [1, 2, 30, 40]), new(2, 0.4f, [5, 5, 9, 9])],
            DetectionsIntended = [new(1, 0.8f, [1, 2, 30, 40]), new(2, 0.4f, [5, 5, 9, 9])],
            StaleRows = 1,
        };
        Detection[] ours = [new(1, "b", 0.81f, 1.5f, 2, 30, 40), new(2, "c", 0.4f, 5, 5, 9, 9)];

        var d = AuthorsReferenceRunner.Compare(Report(new BenchPipelineRow("hourglass104", 1, 2, 1, 1, 1, 1, 1)), theirs, ours, "w.pth").Detections!;

        Assert.Equal((2, 2, 2, (double?)1.0), (d.Theirs, d.Ours, d.Matched, d.Share));
        Assert.Equal((3, 2, (double?)(2.0 / 3), 1), (d.TheirsAsKept, d.MatchedAsKept, d.ShareAsKept, d.StaleRows));
    }

    [Fact]
    public void The_image_for_their_side_is_written_so_that_opencv_reads_back_our_bytes()
    {
        var image = GeneratedPicture.Pixels(64, 48);
        string png = Path.Combine(_folder, "image.png");

        AuthorsReferenceRunner.WritePng(image, pixelsAreBgr: true, png);

        // cv2.imread returns BGR: the file's red channel must hold our third byte.
        using var read = Image.Load<Rgb24>(png);
        var pixels = new byte[64 * 48 * 3];
        read.CopyPixelDataTo(pixels);
        for (int i = 0; i < pixels.Length; i += 3)
        {
            Assert.Equal((image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]), (pixels[i + 2], pixels[i + 1], pixels[i]));
        }
    }

    [Fact]
    public void The_request_passes_the_same_inputs_to_the_script()
    {
        var request = new AuthorsScriptRequest("/usr/bin/python3", "s.py", "/r", "/i.png", "/w.pth", 2, 1, 3);

        Assert.Equal(
            ["s.py", "--authors-repo", "/r", "--image", "/i.png", "--threads", "2", "--warmup", "1", "--iterations", "3", "--weights", "/w.pth"],
            request.Arguments());
        Assert.DoesNotContain("--weights", (request with { Weights = null }).Arguments());
        Assert.Equal(Path.Combine(_folder, "bench.authors.json"), AuthorsReferenceRunner.RawOutputPath(Path.Combine(_folder, "bench.json")));
    }

    [Fact]
    public void The_saccade_side_runs_their_saccade_procedure_with_the_same_zoom_settings()
    {
        Assert.True(File.Exists(AuthorsReferenceRunner.SaccadeScriptPath), AuthorsReferenceRunner.SaccadeScriptPath);
        Assert.Equal("cornernet_saccade_inference", AuthorsReferenceRunner.ProcedureFor(NetworkFamily.Saccade));
        var request = new AuthorsScriptRequest("/usr/bin/python3", "s.py", "/r", "/i.png", null, 2, 1, 3) { SaccadeCrops = 4 };
        Assert.Equal(["--att-threshold", "0", "--max-crops", "4"], request.Arguments().TakeLast(4));
        AuthorsReferenceRunner.CheckArchitecture(ArchitecturePresets.Saccade);
        var tiny = ArchitectureSpec.Load(RepositoryPaths.Fixture("saccade", "tiny_arch.json"));
        var refused = Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.CheckArchitecture(tiny));
        Assert.Contains("--arch saccade", refused.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<AuthorsReferenceException>(() => AuthorsReferenceRunner.CheckLiteRepository(_folder, AuthorsReferenceRunner.SaccadeRequiredFiles));
        Assert.Contains("core/test/cornernet_saccade.py", missing.Message, StringComparison.Ordinal);
    }

    private BenchOptions TinyOptions()
    {
        string image = Path.Combine(_folder, "small.png");
        if (!File.Exists(image))
        {
            var generated = GeneratedPicture.Pixels(96, 64);
            using var png = Image.LoadPixelData<Rgb24>(generated.Pixels, generated.Width, generated.Height);
            png.SaveAsPng(image);
        }

        return new BenchOptions { Architecture = "tiny", Iterations = 1, Warmup = 0, ImagePath = image, CompareTorchDecoder = false };
    }

    private string FakeRepository()
    {
        string repository = Path.Combine(_folder, "CornerNet");
        foreach (string file in AuthorsReferenceRunner.RequiredFiles)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(repository, file))!);
            File.WriteAllText(Path.Combine(repository, file), "");
        }

        return repository;
    }

    private string FakePython(params string[] lines)
    {
        string path = Path.Combine(_folder, $"python-{Guid.NewGuid():N}");
        File.WriteAllText(path, "#!/bin/sh\n" + string.Join("\n", lines) + "\n");
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("These tests use the bench's Linux setup (Debian's python3).");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private AuthorsScriptRequest Request(string python, string? repository = null) =>
        new(python, AuthorsReferenceRunner.ScriptPath, repository ?? _folder, Path.Combine(_folder, "image.png"), null, 1, 0, 1);

    private static BenchReport Report(params BenchPipelineRow[] rows) => new()
    {
        Architecture = "hourglass104",
        Image = "generated 640x480",
        CanvasWidth = 767,
        CanvasHeight = 511,
        Threads = 2,
        Warmup = 1,
        Iterations = 2,
        Pipeline = rows,
        DecodeMicro = [],
        PreprocessOnly = new BenchPreprocessResult(640, 480, 1, 1, 1, 1),
    };
}
