using CornerNet.Model.Inference;
using CornerNet.Service.Configuration;
using Microsoft.Extensions.Configuration;

namespace CornerNet.LoadGenerator;

/// <summary>
/// The configuration one batching mode runs with, read the way the service reads it (the content root's appsettings.json,
/// then environment variables, then the overrides, which the started service gets as command-line arguments), so the
/// in-process reference runs exactly the model, pipeline, batch cap and thread count the service runs.
/// </summary>
public sealed class ServiceSettings
{
    private ServiceSettings(IConfiguration configuration, IReadOnlyDictionary<string, string> overrides)
    {
        Configuration = configuration;
        Overrides = overrides;
        Model = configuration.GetSection(ModelOptions.Section).Get<ModelOptions>() ?? new ModelOptions();
        Batching = configuration.GetSection(BatchingOptions.Section).Get<BatchingOptions>() ?? new BatchingOptions();
        Inference = configuration.GetSection(InferenceOptions.Section).Get<InferenceOptions>() ?? new InferenceOptions();
        Detection = configuration.GetSection(DetectionDefaultsOptions.Section).Get<DetectionDefaultsOptions>() ?? new DetectionDefaultsOptions();
        // As the service binds it (PipelineOptions): the authors' defaults, overridable under "Pipeline".
        Pipeline = (configuration.GetSection(PipelineOptions.Section).Get<PipelineOptions>() ?? new PipelineOptions()).ToDetectorOptions().Validate();
    }

    public IConfiguration Configuration { get; }

    /// <summary>What the started service is given on its command line, on top of its appsettings.json.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    public ModelOptions Model { get; }

    public BatchingOptions Batching { get; }

    public InferenceOptions Inference { get; }

    public DetectionDefaultsOptions Detection { get; }

    public DetectorOptions Pipeline { get; }

    public static string Key(string section, string name) => $"{section}:{name}";

    public static ServiceSettings For(string contentRoot, IReadOnlyDictionary<string, string> userOverrides, int threads, int? maxBatchSize)
    {
        var overrides = new Dictionary<string, string>(userOverrides, StringComparer.OrdinalIgnoreCase)
        {
            [Key(BatchingOptions.Section, nameof(BatchingOptions.InferenceThreads))] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (maxBatchSize is { } size)
        {
            overrides[Key(BatchingOptions.Section, nameof(BatchingOptions.MaxBatchSize))] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(contentRoot, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides!)
            .Build();
        return new ServiceSettings(configuration, overrides);
    }
}
