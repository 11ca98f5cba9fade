using System.Globalization;

namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>One invocation of <c>authors_reference.py</c> (or its CornerNet-Lite siblings).</summary>
public sealed record AuthorsScriptRequest(
    string Python, string Script, string Repository, string Image, string? Weights, int Threads, int Warmup, int Iterations)
{
    /// <summary>CornerNet-Saccade (bench --crops N): their attention threshold 0 and at most N crops.</summary>
    public int? SaccadeCrops { get; init; }

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
        if (SaccadeCrops is { } crops) arguments.AddRange(["--att-threshold", "0", "--max-crops", crops.ToString(CultureInfo.InvariantCulture)]);
        return arguments;
    }
}
