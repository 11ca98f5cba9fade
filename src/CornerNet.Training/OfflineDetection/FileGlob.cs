using Microsoft.Extensions.FileSystemGlobbing;

namespace CornerNet.Training.OfflineDetection;

/// <summary>The files a glob pattern (<c>*</c>, <c>?</c>, <c>**</c>) matches, for arguments no shell expanded (a
/// Kubernetes container's args, or a quoted pattern).</summary>
public static class FileGlob
{
    /// <summary>Whether <paramref name="text"/> holds a wildcard.</summary>
    public static bool IsPattern(string text) => text.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>The folder before the first wildcard, and the full paths of the files below it that match, in no set order.</summary>
    public static (string Root, IEnumerable<string> Paths) Expand(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var full = Path.GetFullPath(pattern).Replace('\\', '/');
        int wildcard = full.AsSpan().IndexOfAny("*?[");
        int slash = full.LastIndexOf('/', wildcard);
        var root = slash <= 0 ? "/" : full[..slash];
        if (!Directory.Exists(root)) return (root, []);
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(full[(slash + 1)..]);
        return (root, matcher.GetResultsInFullPath(root));
    }
}
