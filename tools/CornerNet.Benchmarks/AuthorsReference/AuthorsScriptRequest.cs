using System.Globalization;

namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>One invocation of <c>authors_reference.py</c>.</summary>
public sealed record AuthorsScriptRequest(
    string Python, string Script, string Repository, string Image, string? Weights, int Threads, int Warmup, int Iterations)
{
    public IReadOnlyList<string> Arguments()
    {
        var arguments = new List<string>
        {
            Script, "--authors-repo", Repository, "--image", Image,
            "--threads", Threads.ToString(CultureInfo.InvariantCulture),
            "--warmup", Warmup.ToString(CultureInfo.InvariantCulture),
            "--iterations", Iterations.ToString(CultureInfo.InvariantCulture),
        };
        if (Weights is not null) arguments.AddRange(["--weights", Weights]);
        return arguments;
    }
}
