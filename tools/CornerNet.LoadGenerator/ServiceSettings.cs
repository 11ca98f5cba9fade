using CornerNet.Model.Inference;
using CornerNet.Service.Configuration;
using CornerNet.Service.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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
        // Bound and validated by the service's own registration; an invalid setting throws OptionsValidationException.
        using var settings = new ServiceCollection().AddSingleton(configuration).AddDetectionSettings().BuildServiceProvider();
        T Value<T>() where T : class => settings.GetRequiredService<IOptions<T>>().Value;
        Model = Value<ModelOptions>();
        Batching = Value<BatchingOptions>();
        Inference = Value<InferenceOptions>();
        Detection = Value<DetectionDefaultsOptions>();
        Pipeline = Value<PipelineOptions>().ToOverrides();
    }

    public IConfiguration Configuration { get; }

    /// <summary>What the started service is given on its command line, on top of its appsettings.json.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    public ModelOptions Model { get; }

    public BatchingOptions Batching { get; }

    public InferenceOptions Inference { get; }

    public DetectionDefaultsOptions Detection { get; }

    public PipelineOverrides Pipeline { get; }

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
