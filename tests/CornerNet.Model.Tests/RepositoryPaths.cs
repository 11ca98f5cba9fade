using System.Reflection;

namespace CornerNet.Model.Tests;

/// <summary>Locations inside the repository, fixed at build time so tests work from any output folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = typeof(RepositoryPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);
}
