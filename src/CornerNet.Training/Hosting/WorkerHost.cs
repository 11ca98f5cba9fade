using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CornerNet.Training.Hosting;

/// <summary>Builds and runs the Generic Host that runs one verb of the worker.</summary>
public static class WorkerHost
{
    /// <summary>Exit code of a verb stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int InterruptedExitCode = 130;

    private static int _abandonedWork;

    /// <summary>A host of this process stopped at its shutdown timeout while its verb was still running.</summary>
    public static bool HasAbandonedWork => Volatile.Read(ref _abandonedWork) != 0;

    /// <summary>A host with the worker's logging and lifetime, running the verb <paramref name="addVerb"/> registers.</summary>
    public static IHost Build(WorkerHostOptions options, Action<IServiceCollection> addVerb)
    {
        ArgumentNullException.ThrowIfNull(addVerb);
        // No default configuration sources: a verb's settings come from its command line, and the appsettings.json at
        // the repository root is the service's, which the worker must not pick up when started from there.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = Environment.CurrentDirectory,
        });
        builder.Configuration.AddEnvironmentVariables(prefix: "CORNERNET_WORKER_");
        builder.Logging.AddWorkerConsole(builder.Configuration.GetSection("Logging"));
        builder.Services.AddWorkerHost(options);
        addVerb(builder.Services);
        // A missing registration fails here, before any work starts.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        return builder.Build();
    }

    /// <summary>Runs the host until its verb returns or a stop request ends it; returns the process exit code.</summary>
    public static async Task<int> RunAsync(IHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        // Taken before the run: RunAsync disposes the host's services when it returns.
        var outcome = host.Services.GetRequiredService<WorkerVerbOutcome>();
        await host.RunAsync(cancellationToken);
        if (outcome.Abandoned) Volatile.Write(ref _abandonedWork, 1);
        return outcome.ExitCode ?? InterruptedExitCode;
    }

    public static async Task<int> RunVerbAsync(WorkerHostOptions options, Action<IServiceCollection> addVerb, CancellationToken cancellationToken = default)
    {
        using var host = Build(options, addVerb);
        return await RunAsync(host, cancellationToken);
    }
}
