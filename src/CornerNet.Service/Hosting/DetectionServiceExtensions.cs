namespace CornerNet.Service.Hosting;

/// <summary>The whole service, composed from one extension per concern, so Program.cs stays a few lines.</summary>
public static class DetectionServiceExtensions
{
    public static WebApplicationBuilder AddDetectionService(this WebApplicationBuilder builder)
    {
        // Before libtorch loads: OpenMP threads that sleep instead of spinning (see OpenMpWaitPolicy).
        CornerNet.Model.Architecture.OpenMpWaitPolicy.PreferPassive();
        builder.AddDetectionSettings();
        builder.AddDetectionObservability();
        builder.ConfigureServer();
        builder.Services
            .AddDetectionModel()
            .AddDetectionBatching()
            .AddDetectionApi()
            .AddDetectionSecurity()
            .AddDetectionTracing()
            .AddDetectionHealthChecks();
        return builder;
    }

    public static WebApplication UseDetectionService(this WebApplication app)
    {
        // Order matters: the client's real address and path first, request logging and the request metrics around
        // everything after them (so both see the status the problem handler settles on), errors as problem details
        // around the rest; then routing, keys and rates, so 401/403/429 are problem documents and counted too.
        app.UseReverseProxy();
        app.UseDetectionRequestLogging();
        app.UseDetectionHttpMetrics();
        app.UseProblemResponses();
        app.UseDetectionPage();
        app.UseDetectionSecurity();
        app.MapDetectionApi();
        app.MapDetectionHealthChecks();
        app.MapDetectionMetrics();
        return app;
    }
}
