using CornerNet.Training.Commands;

namespace CornerNet.Training.Tests.Commands;

public class DescribeCommandTests
{
    /// <summary>hourglass104_keys.tsv was written from the authors' own model definition (tests/fixtures/network/README.md).</summary>
    [Fact]
    [Trait(TestCategories.Category, TestCategories.Slow)]
    public void Hourglass104_keys_shapes_and_parameter_count_equal_the_authors_model()
    {
        var output = new StringWriter();
        Assert.Equal(0, DescribeCommand.Run("hourglass104", output));

        var expected = File.ReadAllLines(RepositoryPaths.Fixture("network", "hourglass104_keys.tsv"));
        var actual = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"line {i + 1}: expected '{expected[i]}', got '{actual[i]}'");
        }

        Assert.Equal("parameters: 201035212", actual[^1]);
    }

    /// <summary>squeeze_keys.tsv was written from the authors' CornerNet-Lite classes (tests/fixtures/squeeze/README.md):
    /// their trainer's keys, with the module. prefix and the BatchNorm counters.</summary>
    [Fact]
    public void Squeeze_keys_shapes_and_parameter_count_equal_the_authors_model()
    {
        var output = new StringWriter();
        Assert.Equal(0, DescribeCommand.Run("squeeze", output));

        var expected = File.ReadAllLines(RepositoryPaths.Fixture("squeeze", "squeeze_keys.tsv"));
        var actual = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(991, expected.Length);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"line {i + 1}: expected '{expected[i]}', got '{actual[i]}'");
        }

        Assert.Equal("parameters: 31771852", actual[^1]);
    }

    /// <summary>saccade_keys.tsv was written from the authors' CornerNet_Saccade model (tests/fixtures/saccade/README.md):
    /// 828 entries, attention heads last.</summary>
    [Fact]
    public void Saccade_keys_shapes_and_parameter_count_equal_the_authors_model()
    {
        var output = new StringWriter();
        Assert.Equal(0, DescribeCommand.Run("saccade", output));

        var expected = File.ReadAllLines(RepositoryPaths.Fixture("saccade", "saccade_keys.tsv"));
        var actual = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(829, expected.Length);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"line {i + 1}: expected '{expected[i]}', got '{actual[i]}'");
        }

        Assert.Equal("parameters: 116969339", actual[^1]);
    }

    [Fact]
    public void An_architecture_file_is_described_too()
    {
        var output = new StringWriter();
        Assert.Equal(0, DescribeCommand.Run(RepositoryPaths.Fixture("network", "fixture_arch.json"), output));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("pre.0.conv.weight\t8x3x7x7", lines[0]);
        Assert.StartsWith("parameters: ", lines[^1]);
    }

    [Fact]
    public void A_missing_architecture_file_fails_with_a_message_and_exit_code()
    {
        Assert.Equal(2, DescribeCommand.Run("/nonexistent/arch.json", new StringWriter()));
    }
}
