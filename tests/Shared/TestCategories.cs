namespace CornerNet.Tests.Shared;

/// <summary>
/// The xunit traits that let <c>tests/run.sh --fast</c> leave out what is slow or needs programs beyond the .NET SDK:
/// <c>[Trait(TestCategories.Category, TestCategories.Slow)]</c>. CI runs everything.
/// </summary>
public static class TestCategories
{
    public const string Category = "Category";

    /// <summary>Takes more than about ten seconds (real processes, soak and load runs, training).</summary>
    public const string Slow = "Slow";

    /// <summary>Drives a program that tests/run.sh installs: Debian's python3 with PyTorch or OpenCV, nginx, docker-compose, chromium.</summary>
    public const string External = "External";
}
