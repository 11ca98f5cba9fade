using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Build;

/// <summary>The build marks libLibTorchSharp's GLIBCXX_3.4.32 requirement weak so it loads on Debian 12.</summary>
public class LibTorchSharpPatchTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static string OutputCopy => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string PackageCopy
    {
        get
        {
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                           ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var version = typeof(TorchSharp.torch).Assembly.GetName().Version!;
            return Path.Combine(packages, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        }
    }

    [Fact]
    public void Patched_library_loads_and_runs_a_tensor_op()
    {
        using var scope = NewDisposeScope();
        var product = matmul(ones(2, 3), ones(3, 4));
        Assert.Equal(24f, product.sum().item<float>());
        Assert.True(ElfVersionNeedPatcher.IsWeak(OutputCopy, Version));
    }

    [Fact]
    public void Only_the_flag_of_that_one_requirement_differs_from_the_package()
    {
        Assert.True(File.Exists(PackageCopy), $"TorchSharp package copy not found at {PackageCopy}");
        var original = File.ReadAllBytes(PackageCopy);
        var patched = File.ReadAllBytes(OutputCopy);
        Assert.Equal(original.Length, patched.Length);
        Assert.False(ElfVersionNeedPatcher.IsWeak(PackageCopy, Version));

        using var stream = File.OpenRead(PackageCopy);
        var flagsOffset = ElfVersionNeedPatcher.FindVernauxFlagsOffset(stream, Version, out _);
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal([(int)flagsOffset], differing);
    }

    [Fact]
    public void Patching_is_idempotent_and_ignores_absent_versions()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(PackageCopy, copy);
        try
        {
            Assert.Equal(ElfPatchResult.Patched, ElfVersionNeedPatcher.MakeWeak(copy, Version));
            var once = File.ReadAllBytes(copy);
            Assert.Equal(ElfPatchResult.AlreadyWeak, ElfVersionNeedPatcher.MakeWeak(copy, Version));
            Assert.Equal(ElfPatchResult.NotRequired, ElfVersionNeedPatcher.MakeWeak(copy, "GLIBCXX_99.0"));
            Assert.Equal(once, File.ReadAllBytes(copy));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void A_file_that_is_not_elf_is_refused()
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, "not an elf file at all, just text padding it out to 64 bytes and more"u8.ToArray());
        try
        {
            Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MakeWeak(path, Version));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
