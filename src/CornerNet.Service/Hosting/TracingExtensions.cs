using CornerNet.Model.Inference;
using CornerNet.Service.Configuration;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CornerNet.Service.Hosting;

/// <summary>
/// OpenTelemetry traces over OTLP when Tracing:OtlpEndpoint is set: ASP.NET Core's span per request (continuing the
/// caller's W3C traceparent), the service's spans (<see cref="DetectionTracing"/>) and the model's stages
/// (<see cref="InferenceTracing"/>). Unset, nothing is sampled or exported.
/// </summary>
public static class TracingExtensions
{
    public static IServiceCollection AddDetectionTracing(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddAspNetCoreInstrumentation(aspNetCore =>
                // Health probes and scrapes would fill the collector with noise.
                aspNetCore.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics"))
            .AddSource(DetectionTracing.SourceName, InferenceTracing.SourceName)
            .ConfigureResource(resource => resource.AddDetector(services => new ServiceNameDetector(services))));
        // The settings are known once the container is built (and validated); the sampler and exporter are set then.
        services.ConfigureOpenTelemetryTracerProvider((provider, builder) =>
        {
            var settings = provider.GetRequiredService<IOptions<TracingOptions>>().ValidOrNull();
            if (settings is not { Enabled: true })
            {
                builder.SetSampler(new AlwaysOffSampler());
                return;
            }

            builder.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.SampleRatio)));
            builder.AddProcessor(new BatchActivityExportProcessor(new OtlpTraceExporter(Exporter(settings))));
        });
        return services;
    }

    /// <summary>service.name from Tracing:ServiceName.</summary>
    private sealed class ServiceNameDetector(IServiceProvider services) : IResourceDetector
    {
        public Resource Detect() => ResourceBuilder.CreateEmpty()
            .AddService(services.GetRequiredService<IOptions<TracingOptions>>().ValidOrNull()?.ServiceName ?? "cornernet-detector")
            .Build();
    }

    private static OtlpExporterOptions Exporter(TracingOptions settings)
    {
        var http = settings.OtlpProtocol == "http/protobuf";
        var endpoint = new Uri(settings.OtlpEndpoint);
        if (http && endpoint.AbsolutePath is "/" or "")
        {
            // Set in code, the endpoint is used as given; the collector takes traces at /v1/traces.
            endpoint = new Uri(endpoint, "/v1/traces");
        }

        return new OtlpExporterOptions
        {
            Endpoint = endpoint,
            Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
        };
    }
}
