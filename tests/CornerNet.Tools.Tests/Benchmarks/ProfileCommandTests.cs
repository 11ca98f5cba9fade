using System.CommandLine;
using CornerNet.Benchmarks;
using CornerNet.Model.Architecture;

namespace CornerNet.Tools.Tests.Benchmarks;

public sealed class ProfileCommandTests
{
    private static readonly string TinySqueeze = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "squeeze", "tiny_arch.json");

    [Fact]
    public void A_tiny_squeeze_network_is_profiled_group_by_group_next_to_its_whole_forward_pass()
    {
        var output = new StringWriter();

        ProfileCommand.Run(ArchitectureSpec.Resolve(TinySqueeze), null, InferencePrecision.Bf16, 96, 64, iterations: 1, warmup: 0, output);

        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.StartsWith("profile: squeeze-fixture (Squeeze), bf16, ", lines[0], StringComparison.Ordinal);
        Assert.Contains("canvas 127x127 for 96x64", lines[0], StringComparison.Ordinal);
        // Depth 4: one transposed convolution per level and stack; every fire module of both stacks is walked.
        for (var level = 0; level < 4; level++)
        {
            Assert.Contains(lines, l => l.StartsWith($"2 transposed conv 4x4/2, level {level} ", StringComparison.Ordinal) && l.Split(" ", StringSplitOptions.RemoveEmptyEntries)[8] == "2");
        }

        var squeeze = lines.Single(l => l.StartsWith("2 fire: squeeze 1x1", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("56", squeeze[4]);
        Assert.Contains(lines, l => l.StartsWith("4 corner pool: running maxima + add", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("walk total (sum of group medians)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("network forward (as served)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tiny_hourglass_network_is_profiled_by_residual_level_with_its_mirror_and_convolution_work()
    {
        var output = new StringWriter();

        ProfileCommand.Run(ArchitecturePresets.Tiny, null, InferencePrecision.Fp32, 96, 64, iterations: 1, warmup: 0, output);

        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.StartsWith("profile: tiny (Hourglass), fp32, ", lines[0], StringComparison.Ordinal);
        Assert.Contains("canvas 127x127 for 96x64, batch 2 (image + mirror)", lines[0], StringComparison.Ordinal);
        // Depth 3: the stem's resolution (32x32) and three levels below it, each with its residuals' 3x3 convolutions.
        string[] Row(string prefix) => lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[50..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long previousHeight = 64;
        for (var level = 0; level < 4; level++)
        {
            var height = 32 >> level;
            var row = Row($"2 residual 3x3 convs, level {level} ({height}x{height})");
            // calls, wall ms, cpu ms, wall %, GFLOP, GFLOP/s, GFLOP per CPU-second, over floor (not measured here).
            Assert.True(double.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture) > 0, string.Join(' ', row));
            Assert.True(height < previousHeight);
            previousHeight = height;
        }

        // Tiny: one residual per level above the innermost; its stem conv's work is counted: 2 x 64 x 64 pixels x 32 x 3 x 49 MACs x 2.
        Assert.Equal("1", Row("1 stem: conv 7x7/2 + ReLU")[0]);
        Assert.Equal((2.0 * 2 * 64 * 64 * 32 * 3 * 49 / 1e9).ToString("F1", System.Globalization.CultureInfo.InvariantCulture), Row("1 stem: conv 7x7/2 + ReLU")[4]);
        // Three merges per hourglass, two stacks; element-wise groups do no convolution work.
        Assert.Equal("6", Row("2 hourglass merges (upsample x2 + add)")[0]);
        Assert.Equal("-", Row("2 hourglass merges (upsample x2 + add)")[4]);
        Assert.Equal("6", Row("5 heads: 3x3 conv + ReLU")[0]);
        Assert.Contains(lines, l => l.StartsWith("4 corner pool: running maxima + add", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("3 inters: 1x1 convs + add + ReLU", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("network forward (as served)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_saccade_network_or_a_bad_precision_exits_with_code_2()
    {
        var root = new RootCommand { ProfileCommand.Create() };
        Assert.Equal(2, root.Parse(["profile", "--arch", "saccade"]).Invoke());
        Assert.Equal(2, root.Parse(["profile", "--arch", TinySqueeze, "--precision", "fp16"]).Invoke());
        Assert.Equal(2, root.Parse(["profile", "--arch", TinySqueeze, "--iterations", "0"]).Invoke());
    }
}
