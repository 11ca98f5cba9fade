using System.CommandLine;
using System.Text.Json;
using CornerNet.Benchmarks;
using CornerNet.Model.Architecture;
using CornerNet.Tools.Common;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Tools.Tests.Benchmarks;

public sealed class BenchCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bench-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void An_invalid_batch_on_the_command_line_exits_with_code_2()
    {
        var root = new RootCommand { BenchCommand.Create() };
        Assert.Equal(2, root.Parse(["bench", "--batch", "0"]).Invoke());
    }

    [Fact]
    public void Invalid_settings_and_missing_files_exit_with_code_2_and_a_message()
    {
        var errors = new StringWriter();
        Assert.Equal(2, BenchCommand.Run(new BenchOptions { Iterations = 0 }, new StringWriter(), errors));
        Assert.Contains("--iterations", errors.ToString());
        Assert.Equal(2, BenchCommand.Run(new BenchOptions { ImagePath = Path.Combine(_folder, "missing.png") }, new StringWriter(), new StringWriter()));
        Assert.Equal(2, BenchCommand.Run(new BenchOptions { Architecture = "no-such-arch" }, new StringWriter(), new StringWriter()));
        Assert.Equal(2, BenchCommand.Run(new BenchOptions { Weights = Path.Combine(_folder, "missing.pth") }, new StringWriter(), new StringWriter()));
    }

    [Fact]
    public void The_architecture_defaults_to_tiny_or_to_the_file_beside_the_weights()
    {
        Assert.Equal("tiny", new BenchOptions().ArchitectureOrDefault);
        string weights = Path.Combine(_folder, "model.pth");
        Assert.Equal("tiny", new BenchOptions { Weights = weights }.ArchitectureOrDefault);
        File.WriteAllText(Path.Combine(_folder, "model.json"), "{}");
        Assert.Equal(Path.Combine(_folder, "model.json"), new BenchOptions { Weights = weights }.ArchitectureOrDefault);
        Assert.Equal("hourglass104", new BenchOptions { Weights = weights, Architecture = "hourglass104" }.ArchitectureOrDefault);
    }

    /// <summary>The tiny saccade-family network of the fixtures with random weights: --crops 3 makes every attention peak
    /// a zoom location, so each image takes 3 crops, reported per row and printed.</summary>
    [Fact]
    public void A_saccade_run_times_views_and_crops_and_prints_the_crops_per_image()
    {
        var output = new StringWriter();
        int exit = BenchCommand.Run(
            new BenchOptions
            {
                Architecture = RepositoryPaths.Fixture("saccade", "tiny_arch.json"), BatchSizes = [1, 2], Iterations = 1, Warmup = 0,
                SaccadeCrops = 3, CompareTorchDecoder = false,
            },
            output, new StringWriter());

        Assert.Equal(0, exit);
        var text = output.ToString();
        Assert.Contains("CornerNet-Saccade's two downsized views and its zoom crops", text, StringComparison.Ordinal);
        Assert.Contains("zoom crops per image: fp32 batch 1: 3, fp32 batch 2: 3 (bench --crops 3: attention threshold 0, at most 3 crops)", text, StringComparison.Ordinal);
        Assert.Equal(2, BenchCommand.Run(new BenchOptions { SaccadeCrops = -1 }, new StringWriter(), new StringWriter()));
    }

    [Fact]
    public void Tiny_run_prints_the_table_and_writes_the_same_numbers_as_json()
    {
        string image = Path.Combine(_folder, "small.png");
        var generated = GeneratedPicture.Pixels(96, 64);
        using (var png = Image.LoadPixelData<Rgb24>(generated.Pixels, generated.Width, generated.Height)) png.SaveAsPng(image);
        string json = Path.Combine(_folder, "bench.json");
        var output = new StringWriter();

        int exit = BenchCommand.Run(
            new BenchOptions { Architecture = "tiny", BatchSizes = [1, 2], Precisions = [InferencePrecision.Fp32, InferencePrecision.Bf16], Iterations = 1, Warmup = 0, ImagePath = image, JsonPath = json },
            output, new StringWriter());

        Assert.Equal(0, exit);
        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains(lines, l => l.StartsWith("CornerNet bench: tiny, weights random", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["arch", "precision", "batch", "threads", "preprocess", "forward", "decode", "nms", "end-to-end", "cpu"]);
        Assert.Contains("network: fp32, channels-last, BatchNorm folded; bf16, channels-last, BatchNorm folded", lines);
        var rows = lines.Where(l => l.StartsWith("tiny ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["fp32 1", "fp32 2", "bf16 1", "bf16 2"], rows.Select(r => $"{r[1]} {r[2]}"));
        Assert.All(rows, r => Assert.Equal(10, r.Length));
        Assert.Equal(["fp32", "bf16"], lines.Where(l => l.StartsWith("fp32 ", StringComparison.Ordinal) || l.StartsWith("bf16 ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(r => r.Length == 6).Select(r => r[0]));
        Assert.Contains(lines, l => l.StartsWith("managed ", StringComparison.Ordinal) && l.Contains("2x80x128x192"));
        Assert.Contains("managed and torch-ops decoder outputs bit-identical: yes", lines);
        Assert.Contains(lines, l => l.StartsWith("preprocess only, 96x64", StringComparison.Ordinal));

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal("tiny", root.GetProperty("architecture").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("weights").ValueKind);
        Assert.Equal(127, root.GetProperty("canvasWidth").GetInt32());
        var pipeline = root.GetProperty("pipeline").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 1, 2], pipeline.Select(p => p.GetProperty("batchSize").GetInt32()));
        Assert.Equal(["fp32", "fp32", "bf16", "bf16"], pipeline.Select(p => p.GetProperty("precision").GetString()));
        Assert.All(pipeline, p => Assert.True(p.GetProperty("endToEndMs").GetDouble() > 0));
        Assert.Equal(rows[0][8], pipeline[0].GetProperty("endToEndMs").GetDouble().ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, root.GetProperty("decodeMicro").GetArrayLength());
        Assert.True(root.GetProperty("decodersIdentical").GetBoolean());
        Assert.True(root.GetProperty("preprocessOnly").GetProperty("jpegMs").GetDouble() > 0);
        var floor = root.GetProperty("convolutionFloor").EnumerateArray().ToArray();
        Assert.Equal(["fp32", "bf16"], floor.Select(f => f.GetProperty("precision").GetString()));
        Assert.All(floor, f => Assert.True(f.GetProperty("gflops").GetDouble() > 0 && f.GetProperty("fusedMs").GetDouble() > 0));
    }
}
