namespace CornerNet.LoadGenerator;

/// <summary>
/// How long one row runs: an unmeasured warm-up, then a measured duration or a measured number of images; and how long
/// a service is loaded, unmeasured, before its first row.
/// </summary>
public sealed record LoadBudget(TimeSpan Warmup, TimeSpan? Duration, int? Requests, TimeSpan StartupWarmup)
{
    public string Describe() =>
        (StartupWarmup > TimeSpan.Zero ? $"{StartupWarmup.TotalSeconds:0.#} s of unmeasured load after start-up; " : "") +
        (Duration is { } duration
            ? $"{Warmup.TotalSeconds:0.#} s warm-up, then {duration.TotalSeconds:0.#} s measured per row"
            : $"{Warmup.TotalSeconds:0.#} s warm-up, then {Requests} measured requests per row");
}
