using System.IO.Compression;
using CornerNet.Tools.Common;

namespace CornerNet.Service.Tests.Client;

/// <summary><c>dotnet pack</c> makes the client and the model assembly into NuGet packages with their README.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
[Trait(TestCategories.Category, TestCategories.External)]
public class PackagingTests
{
    [Theory]
    [InlineData("CornerNet.Client", "lib/net10.0/CornerNet.Client.dll")]
    [InlineData("CornerNet.Model", "lib/net10.0/CornerNet.Model.dll")]
    public async Task Dotnet_pack_makes_a_package_with_the_assembly_and_its_readme(string project, string assembly)
    {
        var output = Path.Combine(Path.GetTempPath(), $"cornernet-pack-{Guid.NewGuid():N}");
        try
        {
            var csproj = Path.Combine(RepositoryPaths.Root, "src", project, project + ".csproj");
            // "dotnet pack <project>": the launcher's first argument is the verb here, not a dll.
            var (code, stdout, stderr) = await ChildProcess.RunDotnetAsync("pack", [csproj, "-c", "Release", "-o", output], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, stdout + stderr);

            var package = Assert.Single(Directory.GetFiles(output, project + ".0.1.0.nupkg"));
            using var zip = ZipFile.OpenRead(package);
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains(assembly, entries);
            Assert.Contains("README.md", entries);
            using var nuspec = new StreamReader(zip.GetEntry(project + ".nuspec")!.Open());
            var text = await nuspec.ReadToEndAsync();
            Assert.Contains("<readme>README.md</readme>", text);
            Assert.Contains("<description>", text);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }
}
