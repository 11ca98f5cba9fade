using CornerNet.Fuzzing;

namespace CornerNet.Tools.Tests.Fuzzing;

/// <summary>
/// The fuzzing harness's targets over its committed seeds and every kept finding: each input is accepted or refused the
/// documented way, nothing else escapes. The long afl-fuzz run itself is not a test (docs/fuzzing.md).
/// </summary>
public class FuzzTargetsTests
{
    [Theory]
    [InlineData("checkpoint")]
    [InlineData("image")]
    public void Every_seed_and_kept_finding_gives_only_the_documented_refusals(string target)
    {
        var folders = new[]
        {
            Path.Combine(RepositoryPaths.Root, "tools", "CornerNet.Fuzzing", "seeds", target),
            RepositoryPaths.Fixture("fuzzing", target),
        };
        var files = folders.Where(Directory.Exists).SelectMany(Directory.EnumerateFiles).ToList();
        Assert.NotEmpty(files);

        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var escaped = Record.Exception(() => FuzzTargets.ByName[target](bytes));
            Assert.True(escaped is null, $"{Path.GetFileName(file)}: {escaped}");
        }
    }

    [Fact]
    public void The_checkpoint_target_refuses_the_hostile_fixtures_without_escaping()
    {
        var hostile = Directory.GetFiles(RepositoryPaths.Fixture("checkpoints"), "*.pth");
        Assert.NotEmpty(hostile);
        foreach (var file in hostile)
        {
            var bytes = File.ReadAllBytes(file);
            Assert.Null(Record.Exception(() => FuzzTargets.Checkpoint(bytes)));
        }
    }
}
