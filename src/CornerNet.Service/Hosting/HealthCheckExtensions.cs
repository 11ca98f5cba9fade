using CornerNet.Service.Modeling;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace CornerNet.Service.Hosting;

/// <summary>/health/live (the process answers) and /health/ready (every model is loaded and warmed up).</summary>
public static class HealthCheckExtensions
{
    public static IServiceCollection AddDetectionHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ModelReadyHealthCheck>("model", tags: ["ready"]);
        return services;
    }

    public static WebApplication MapDetectionHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
