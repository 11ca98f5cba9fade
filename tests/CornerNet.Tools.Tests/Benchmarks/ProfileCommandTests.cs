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
    public void An_hourglass_network_or_a_bad_precision_exits_with_code_2()
    {
        var root = new RootCommand { ProfileCommand.Create() };
        Assert.Equal(2, root.Parse(["profile", "--arch", "tiny"]).Invoke());
        Assert.Equal(2, root.Parse(["profile", "--arch", TinySqueeze, "--precision", "fp16"]).Invoke());
        Assert.Equal(2, root.Parse(["profile", "--arch", TinySqueeze, "--iterations", "0"]).Invoke());
    }
}
