using CornerNet.Training.Commands;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace CornerNet.Training.Hosting;

/// <summary>Registrations of the worker host and its verbs.</summary>
public static class WorkerServiceCollectionExtensions
{
    /// <summary>The hosted service that runs the verb, the outcome it reports, and the host's shutdown settings.</summary>
    public static IServiceCollection AddWorkerHost(this IServiceCollection services, WorkerHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(Options.Create(options));
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        // The verbs print their own start and end lines; the host's "Application started" lines would only be noise.
        services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        services.AddSingleton<WorkerVerbOutcome>();
        services.AddHostedService<WorkerVerbService>();
        return services;
    }

    public static IServiceCollection AddWorkerVerb<TVerb>(this IServiceCollection services) where TVerb : class, IWorkerVerb =>
        services.AddSingleton<IWorkerVerb, TVerb>();

    public static IServiceCollection AddWorkerVerb(this IServiceCollection services, Func<CancellationToken, int> run) =>
        services.AddSingleton<IWorkerVerb>(new DelegateWorkerVerb(run));

    /// <summary>The <c>train</c> verb with its settings.</summary>
    public static IServiceCollection AddTrainVerb(this IServiceCollection services, TrainVerbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(Options.Create(options));
        return services.AddWorkerVerb<TrainVerb>();
    }

    /// <summary>
    /// The host's own messages, one line each on stderr: stdout carries the verbs' output (describe's key list,
    /// evaluate's summary) and must stay clean for whoever reads it. Levels can be set with
    /// <c>CORNERNET_WORKER_Logging__LogLevel__Default=Debug</c>.
    /// </summary>
    public static ILoggingBuilder AddWorkerConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddConfiguration(configuration);
        logging.AddSimpleConsole(console => console.SingleLine = true);
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }
}
