using System.Net;
using CornerNet.Service.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Hosting;

/// <summary>Kestrel limits, host shutdown and reverse-proxy headers, all from the validated options.</summary>
public static class ServerExtensions
{
    public static WebApplicationBuilder ConfigureServer(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureKestrelLimits().ConfigureShutdown().AddReverseProxySupport();
        return builder;
    }

    /// <summary>Body size is enforced by Kestrel (Limits:MaxRequestBytes) as well as by the upload reader, which also
    /// covers test hosts.</summary>
    public static IServiceCollection ConfigureKestrelLimits(this IServiceCollection services)
    {
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
        {
            if (limits.ValidOrNull() is { } valid)
            {
                kestrel.Limits.MaxRequestBodySize = valid.MaxRequestBytes;
            }
        });
        return services;
    }

    /// <summary>Queued work is finished on shutdown within Batching:ShutdownDrainSeconds and the rest answered 503
    /// (BatchingWorker, one per model, all at once); a batch still running then has Batching:ShutdownBatchGraceSeconds more before its requests
    /// are answered 503 too. The host waits longer than the longest of them, so that every waiting request is answered before the
    /// server closes its connections.</summary>
    public static IServiceCollection ConfigureShutdown(this IServiceCollection services)
    {
        services.AddOptions<HostOptions>().Configure<IOptions<ModelCatalogOptions>, IOptions<BatchingOptions>>((host, catalog, batching) =>
        {
            // The catalog leaves problems of the Batching section itself to that section's validation.
            if (catalog.ValidOrNull() is { Models.Count: > 0 } valid && batching.ValidOrNull() is not null)
            {
                host.ShutdownTimeout = valid.Models.Max(m => ShutdownTimeout(m.Batching));
            }
        });
        return services;
    }

    public static TimeSpan ShutdownTimeout(BatchingOptions batching)
    {
        ArgumentNullException.ThrowIfNull(batching);
        return TimeSpan.FromSeconds(batching.ShutdownDrainSeconds + batching.ShutdownBatchGraceSeconds) + AnswerMargin;
    }

    /// <summary>Time after the last 503 is given for the answers to be written before connections are closed.</summary>
    public static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(5);

    /// <summary>X-Forwarded-* headers honoured from the proxies ReverseProxy names (and loopback).</summary>
    public static IServiceCollection AddReverseProxySupport(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ReverseProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                                         | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedPrefix;
            if (proxy.ValidOrNull() is not { } valid) return;
            foreach (var address in valid.KnownProxies) forwarded.KnownProxies.Add(IPAddress.Parse(address));
            foreach (var network in valid.KnownNetworks) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        return services;
    }

    /// <summary>First in the pipeline: the client's real address, scheme and path prefix, from trusted proxies only.</summary>
    public static WebApplication UseReverseProxy(this WebApplication app)
    {
        app.UseForwardedHeaders();
        var pathBase = app.Services.GetRequiredService<IOptions<ReverseProxyOptions>>().Value.PathBase;
        if (pathBase.Length > 0)
        {
            app.UsePathBase(pathBase);
        }

        return app;
    }
}
