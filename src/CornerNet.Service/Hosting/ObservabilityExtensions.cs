using CornerNet.Service.Configuration;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Options;
using Prometheus;
using Serilog;
using Serilog.Formatting.Compact;

namespace CornerNet.Service.Hosting;

/// <summary>Logs (Serilog, text or JSON), request logging and Prometheus metrics.</summary>
public static class ObservabilityExtensions
{
    public static WebApplicationBuilder AddDetectionObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Host.UseSerilog((context, services, logger) =>
        {
            // Text while ServiceLogging is invalid, so the start-up check's own line is readable.
            var json = services.GetRequiredService<IOptions<ServiceLoggingOptions>>().ValidOrNull()?.Format == "json";
            logger.ReadFrom.Configuration(context.Configuration).Enrich.FromLogContext();
            if (json)
            {
                logger.WriteTo.Console(new CompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            }
        });
        return builder;
    }

    /// <summary>Request logging: outermost after the forwarded headers, so it logs the status the exception handler
    /// settled on.</summary>
    public static WebApplication UseDetectionRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms for {ClientAddress}";
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                diagnostics.Set("ClientAddress", http.Connection.RemoteIpAddress?.ToString());
                // The holder's name of the API key that was accepted, never the key.
                if (http.User.Identity is { IsAuthenticated: true, Name: { } holder }) diagnostics.Set("ApiKey", holder);
            };
        });
        return app;
    }

    /// <summary>HTTP request metrics, outside the problem handler: an answer is counted under the status the client
    /// gets (inside it, a refused request was still 200 when the metrics middleware looked).</summary>
    public static WebApplication UseDetectionHttpMetrics(this WebApplication app)
    {
        app.UseHttpMetrics();
        return app;
    }

    public static WebApplication MapDetectionMetrics(this WebApplication app)
    {
        app.MapMetrics("/metrics").ProtectedIf(app.Services.GetRequiredService<IOptions<ApiKeysOptions>>().Value.ProtectMetrics);
        return app;
    }
}
