namespace CornerNet.LoadGenerator;

/// <summary>One load-generator run, as given on the command line (see <see cref="LoadCommand"/>).</summary>
public sealed record LoadSettings
{
    /// <summary>An already-running service to load; null starts the service as a child process, once per batching mode.</summary>
    public Uri? Url { get; init; }

    /// <summary>The built service to start (ignored with <see cref="Url"/>).</summary>
    public required string ServiceDll { get; init; }

    /// <summary>Working directory of the started service: its appsettings.json and relative model paths are read from here.</summary>
    public required string ContentRoot { get; init; }

    /// <summary>Image to POST; null sends <see cref="ImageSize"/>'s generated JPEG, or the generated held-out synthetic image.</summary>
    public string? ImagePath { get; init; }

    /// <summary>Send the benchmarks' generated picture of this size as a JPEG (instead of a file or the synthetic image).</summary>
    public (int Width, int Height)? ImageSize { get; init; }

    /// <summary>Serve random weights of Model:Architecture (written to a temporary file) instead of Model:Weights.</summary>
    public bool RandomWeights { get; init; }

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 4, 16];

    /// <summary>Batching modes to run the started service in (ignored with <see cref="Url"/>).</summary>
    public IReadOnlyList<BatchingMode> Modes { get; init; } = [BatchingMode.On, BatchingMode.Off];

    /// <summary>Unmeasured time at the start of every run, so connections, caches and the queue reach steady state.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Unmeasured load at the highest concurrency before a service's first row, so its JIT has compiled the hot paths.</summary>
    public TimeSpan StartupWarmup { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Measured time per run; null when <see cref="Requests"/> bounds the run instead.</summary>
    public TimeSpan? Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Measured requests per run; null when <see cref="Duration"/> bounds the run instead.</summary>
    public int? Requests { get; init; }

    /// <summary>libtorch threads on both sides (Batching:InferenceThreads for the service).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Extra configuration for the started service and the in-process reference alike (KEY=VALUE, e.g. Model:Weights=...).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; init; } = new Dictionary<string, string>();

    public bool SkipInProcess { get; init; }

    /// <summary>Unmeasured in-process calls at least, per batch size (see <see cref="InProcessReference"/>).</summary>
    public int InProcessWarmupCalls { get; init; } = Tools.Common.Warmup.TieredCompilationCalls;

    public string? JsonPath { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public LoadSettings Validate()
    {
        var problems = new List<string>();
        if (Concurrency.Count == 0 || Concurrency.Any(c => c < 1)) problems.Add("--concurrency needs positive integers");
        if (Modes.Count == 0) problems.Add("--modes needs on, off or both");
        if (Warmup < TimeSpan.Zero) problems.Add("--warmup must not be negative");
        if (StartupWarmup < TimeSpan.Zero) problems.Add("--startup-warmup must not be negative");
        if ((Duration is null) == (Requests is null)) problems.Add("give exactly one of --duration and --requests");
        if (Duration is { } duration && duration <= TimeSpan.Zero) problems.Add("--duration must be positive");
        if (Requests is < 1) problems.Add("--requests must be at least 1");
        if (Threads < 1) problems.Add("--threads must be at least 1");
        if (InProcessWarmupCalls < 1) problems.Add("--in-process-warmup-calls must be at least 1");
        if (Url is null && !File.Exists(ServiceDll)) problems.Add($"the service dll '{ServiceDll}' does not exist (build src/CornerNet.Service, or give --service-dll or --url)");
        if (!Directory.Exists(ContentRoot)) problems.Add($"the content root '{ContentRoot}' does not exist");
        if (ImagePath is not null && !File.Exists(ImagePath)) problems.Add($"the image '{ImagePath}' does not exist");
        if (ImagePath is not null && ImageSize is not null) problems.Add("give at most one of --image and --image-size");
        if (ImageSize is { } size && (size.Width < 1 || size.Height < 1 || (long)size.Width * size.Height > 40_000_000)) problems.Add("--image-size must be between 1x1 and 40 megapixels");
        if (Url is not null && RandomWeights) problems.Add("--random-weights starts the service with them; it cannot change an already-running one (--url)");
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems) + ".");
        return this;
    }

    /// <summary>Parses "on,off".</summary>
    public static IReadOnlyList<BatchingMode> ParseModes(string text) =>
        CornerNet.Tools.Common.CommaSeparated.Parse(text, "--modes", "on or off", part => part.ToLowerInvariant() switch
        {
            "on" => BatchingMode.On,
            "off" => BatchingMode.Off,
            _ => (BatchingMode?)null,
        });

    /// <summary>Parses "640x480".</summary>
    public static (int Width, int Height) ParseImageSize(string text)
    {
        var parts = text.Split('x', 'X');
        return parts.Length == 2 && int.TryParse(parts[0], out var width) && int.TryParse(parts[1], out var height)
            ? (width, height)
            : throw new FormatException($"--image-size: '{text}' is not WIDTHxHEIGHT (e.g. 640x480).");
    }

    /// <summary>Parses KEY=VALUE pairs; the service's ':' and the environment's '__' separators are both accepted.</summary>
    public static IReadOnlyDictionary<string, string> ParseOverrides(IEnumerable<string> pairs)
    {
        var overrides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) throw new FormatException($"--set: '{pair}' is not KEY=VALUE.");
            overrides[pair[..equals].Replace("__", ":")] = pair[(equals + 1)..];
        }

        return overrides;
    }
}

public enum BatchingMode
{
    /// <summary>The configured Batching:MaxBatchSize (4 by default).</summary>
    On,

    /// <summary>Batching:MaxBatchSize=1: every image runs alone.</summary>
    Off,

    /// <summary>An already-running service, batching as it is configured.</summary>
    AsConfigured,
}
