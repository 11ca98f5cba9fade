using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using CornerNet.Tools.Common;

namespace CornerNet.LoadGenerator;

/// <summary>The command line: parses the options, runs <see cref="LoadRunner"/>, prints the table, writes the JSON.</summary>
public static class LoadCommand
{
    /// <summary>Exit codes: 0 all requests succeeded, 1 some failed (they are listed), 2 bad arguments or the run failed.</summary>
    public const int RequestsFailed = 1;
    public const int Unusable = 2;

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The repository this was built from: the started service's default content root.</summary>
    public static string RepositoryRoot { get; } = typeof(LoadCommand).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static RootCommand Create()
    {
        var url = new Option<string?>("--url") { Description = "Load an already-running service at this address instead of starting one (batching is whatever it is configured with)." };
        var serviceDll = new Option<string>("--service-dll")
        {
            Description = "The built service to start with `dotnet`.",
            DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "CornerNet.Service.dll"),
        };
        var contentRoot = new Option<string>("--content-root")
        {
            Description = "Working directory of the started service, where its appsettings.json and models/ are.",
            DefaultValueFactory = _ => RepositoryRoot,
        };
        var image = new Option<string?>("--image") { Description = "Image to POST (default: a generated held-out synthetic 128x128 PNG, what the demo model was evaluated on)." };
        var imageSize = new Option<string?>("--image-size") { Description = "POST the benchmarks' generated picture of this size as a JPEG, e.g. 640x480 (instead of --image)." };
        var randomWeights = new Option<bool>("--random-weights")
        {
            Description = "Serve random weights of Model:Architecture (a preset such as squeeze, or a file; --set Model:Architecture=...) instead of " +
                          "Model:Weights: written with their architecture file to a temporary folder for the service and the in-process reference. Timings only.",
        };
        var concurrency = new Option<string>("--concurrency") { Description = "Comma-separated numbers of closed-loop clients, one row each.", DefaultValueFactory = _ => "1,4,16" };
        var modes = new Option<string>("--modes") { Description = "Batching modes of the started service: on (Batching:MaxBatchSize as configured), off (1), or both.", DefaultValueFactory = _ => "on,off" };
        var warmup = new Option<double>("--warmup") { Description = "Unmeasured seconds at the start of every row.", DefaultValueFactory = _ => 3 };
        var startupWarmup = new Option<double>("--startup-warmup") { Description = "Unmeasured seconds of load at the highest concurrency before a service's first row (JIT warm-up).", DefaultValueFactory = _ => 10 };
        var duration = new Option<double?>("--duration") { Description = "Measured seconds per row (default 20 unless --requests is given)." };
        var requests = new Option<int?>("--requests") { Description = "Measured requests per row, instead of --duration." };
        var threads = new Option<int>("--threads") { Description = "libtorch threads in the service (Batching:InferenceThreads) and in-process.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var set = new Option<string[]>("--set") { Description = "Extra service configuration for the started service and the in-process reference, KEY=VALUE (e.g. Batching:MaxDelayMs=5); repeatable." };
        var skipInProcess = new Option<bool>("--skip-in-process") { Description = "Don't run the in-process reference." };
        var inProcessWarmupCalls = new Option<int>("--in-process-warmup-calls")
        {
            Description = "Unmeasured in-process calls at least, per batch size (.NET compiles hot methods fully after 30 calls).",
            DefaultValueFactory = _ => Warmup.TieredCompilationCalls,
        };
        var json = new Option<string?>("--json") { Description = "Also write the results to this JSON file." };
        var command = new RootCommand("HTTP load generator for the CornerNet service: throughput and latency percentiles per concurrency, batching on and off, against the in-process pipeline.")
        {
            url, serviceDll, contentRoot, image, imageSize, randomWeights, concurrency, modes, warmup, startupWarmup, duration, requests, threads, set, skipInProcess, inProcessWarmupCalls, json,
        };
        command.Subcommands.Add(OverloadCommand.Create());
        command.SetAction(async (parse, cancellationToken) =>
        {
            LoadSettings settings;
            try
            {
                var requestCount = parse.GetValue(requests);
                var seconds = parse.GetValue(duration) ?? (requestCount is null ? 20 : null);
                settings = new LoadSettings
                {
                    Url = parse.GetValue(url) is { } address
                        ? Uri.TryCreate(address, UriKind.Absolute, out var uri) ? uri : throw new FormatException($"--url: '{address}' is not an absolute URL.")
                        : null,
                    ServiceDll = Path.GetFullPath(parse.GetValue(serviceDll)!),
                    ContentRoot = Path.GetFullPath(parse.GetValue(contentRoot)!),
                    ImagePath = parse.GetValue(image),
                    ImageSize = parse.GetValue(imageSize) is { } size ? LoadSettings.ParseImageSize(size) : null,
                    RandomWeights = parse.GetValue(randomWeights),
                    Concurrency = CommaSeparated.PositiveIntegers(parse.GetValue(concurrency)!, "--concurrency"),
                    Modes = LoadSettings.ParseModes(parse.GetValue(modes)!),
                    Warmup = TimeSpan.FromSeconds(parse.GetValue(warmup)),
                    StartupWarmup = TimeSpan.FromSeconds(parse.GetValue(startupWarmup)),
                    Duration = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                    Requests = requestCount,
                    Threads = parse.GetValue(threads),
                    Overrides = LoadSettings.ParseOverrides(parse.GetValue(set) ?? []),
                    SkipInProcess = parse.GetValue(skipInProcess),
                    InProcessWarmupCalls = parse.GetValue(inProcessWarmupCalls),
                    JsonPath = parse.GetValue(json),
                }.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"loadgen: {e.Message}");
                return Unusable;
            }

            return await RunAsync(settings, Console.Out, Console.Error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(LoadSettings settings, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        LoadReport report;
        try
        {
            report = await LoadRunner.RunAsync(settings, output, cancellationToken);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException or HttpRequestException or IOException or JsonException
                                      or KeyNotFoundException or System.ComponentModel.Win32Exception or CornerNet.Service.Modeling.ModelLoadException
                                      or CornerNet.Model.Checkpoints.CheckpointFormatException or CornerNet.Model.Checkpoints.CheckpointMismatchException)
        {
            errors.WriteLine($"loadgen: {e.Message}");
            return Unusable;
        }

        ReportPrinter.Print(report, output);
        if (settings.JsonPath is not null)
        {
            await File.WriteAllTextAsync(settings.JsonPath, JsonSerializer.Serialize(report, JsonOptions), cancellationToken);
            output.WriteLine($"written {settings.JsonPath}");
        }

        return report.TotalErrors > 0 ? RequestsFailed : 0;
    }
}
