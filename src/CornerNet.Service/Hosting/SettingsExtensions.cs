using System.Reflection;
using CornerNet.Service.Configuration;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Hosting;

/// <summary>Every configuration section bound to a typed options class, validated before the host starts.</summary>
public static class SettingsExtensions
{
    /// <summary>Binds and validates every section; nothing else in the service reads configuration directly.</summary>
    public static WebApplicationBuilder AddDetectionSettings(this WebApplicationBuilder builder)
    {
        builder.Services.AddDetectionSettings();
        return builder;
    }

    /// <summary>
    /// The same for any container with an <see cref="IConfiguration"/>: the one way the settings are read, also by the
    /// tools that must run exactly what the service runs (the load generator's in-process reference).
    /// </summary>
    public static IServiceCollection AddDetectionSettings(this IServiceCollection services)
    {
        // Model is read (and checked) as part of the catalog: with Models:{name} sections it is not used at all.
        services.AddOptions<ModelOptions>().BindConfiguration(ModelOptions.Section);
        services.AddOptions<ModelCatalogOptions>().Configure<IConfiguration>((catalog, configuration) => catalog.Read(configuration)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ModelCatalogOptions>, ModelCatalogValidator>();
        services.Track<ModelCatalogOptions>();
        services.AddValidatedOptions<ModelReloadOptions>(ModelReloadOptions.Section);
        services.AddValidatedOptions<BatchingOptions>(BatchingOptions.Section);
        services.AddValidatedOptions<InferenceOptions>(InferenceOptions.Section);
        services.AddValidatedOptions<PipelineOptions>(PipelineOptions.Section);
        services.AddSingleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>();
        services.AddValidatedOptions<LimitsOptions>(LimitsOptions.Section);
        services.AddValidatedOptions<DetectionDefaultsOptions>(DetectionDefaultsOptions.Section);
        services.AddValidatedOptions<ServiceLoggingOptions>(ServiceLoggingOptions.Section);
        services.AddValidatedOptions<ReverseProxyOptions>(ReverseProxyOptions.Section);
        services.AddValidatedOptions<ApiKeysOptions>(ApiKeysOptions.Section);
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.Section);
        services.AddValidatedOptions<TracingOptions>(TracingOptions.Section);
        return services;
    }

    /// <summary>Checks every options class before the host starts, so a bad setting is one clear log line per problem
    /// (the host's own start-up validation would report it with a stack trace).</summary>
    public static bool ConfigurationIsValid(this WebApplication app)
    {
        var problems = new List<string>();
        foreach (var type in app.Services.GetRequiredService<ValidatedOptionTypes>().Types)
        {
            try
            {
                var options = app.Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(type));
                _ = options.GetType().GetProperty(nameof(IOptions<object>.Value))!.GetValue(options);
            }
            catch (TargetInvocationException e) when (e.InnerException is OptionsValidationException invalid)
            {
                problems.AddRange(invalid.Failures);
            }
            catch (TargetInvocationException e) when (e.InnerException is InvalidOperationException unconvertible)
            {
                // A value the binder cannot convert (e.g. "abc" for a number or a flag).
                problems.Add(unconvertible.Message);
            }
        }

        foreach (var problem in problems)
        {
            app.Logger.LogCritical("Invalid configuration: {Problem}", problem);
        }

        return problems.Count == 0;
    }

    /// <summary>
    /// The validated value of options that host-level settings (Kestrel, shutdown, log format) are derived from, or
    /// null while that section is invalid. Those settings are read while the host is being built, before
    /// <see cref="ConfigurationIsValid"/> can report the problem in one line and stop start-up; until then the
    /// framework's defaults stand in.
    /// </summary>
    internal static T? ValidOrNull<T>(this IOptions<T> options) where T : class
    {
        try
        {
            return options.Value;
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The options classes validated at start-up, so <see cref="ConfigurationIsValid"/> can check them all.</summary>
    private sealed record ValidatedOptionTypes(List<Type> Types);

    private static void AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        services.Track<T>();
    }

    /// <summary>Adds <typeparamref name="T"/> to the options <see cref="ConfigurationIsValid"/> checks.</summary>
    private static void Track<T>(this IServiceCollection services) where T : class
    {
        var registered = services.Select(d => d.ImplementationInstance).OfType<ValidatedOptionTypes>().SingleOrDefault();
        if (registered is null)
        {
            registered = new ValidatedOptionTypes([]);
            services.AddSingleton(registered);
        }

        registered.Types.Add(typeof(T));
    }
}
