using System.Reflection;

namespace CornerNet.Tests.Shared;

/// <summary>
/// Locations inside the repository, fixed at build time (the test projects stamp their source root into an assembly
/// attribute) so tests find fixtures from any output folder.
/// </summary>
public static class RepositoryPaths
{
    public static string Root { get; } = Assembly.GetExecutingAssembly()
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);
}
