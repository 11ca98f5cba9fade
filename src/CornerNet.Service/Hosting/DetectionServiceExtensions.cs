using System.Reflection;
using CornerNet.Model.Inference;
using CornerNet.Service.Api;
using CornerNet.Service.Batching;
using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Service.Observability;
using System.Net;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi.Models;
using Prometheus;
using Serilog;
using Serilog.Formatting.Compact;

namespace CornerNet.Service.Hosting;

/// <summary>Registration and pipeline of the detection service, so Program.cs stays a few lines.</summary>
public static class DetectionServiceExtensions
{
    public static WebApplicationBuilder AddDetectionService(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        AddValidatedOptions<ModelOptions>(services, ModelOptions.Section);
        AddValidatedOptions<BatchingOptions>(services, BatchingOptions.Section);
        AddValidatedOptions<InferenceOptions>(services, InferenceOptions.Section);
        AddValidatedOptions<LimitsOptions>(services, LimitsOptions.Section);
        AddValidatedOptions<DetectionDefaultsOptions>(services, DetectionDefaultsOptions.Section);
        AddValidatedOptions<ServiceLoggingOptions>(services, ServiceLoggingOptions.Section);
        AddValidatedOptions<ReverseProxyOptions>(services, ReverseProxyOptions.Section);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ReverseProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                                         | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedPrefix;
            foreach (var address in proxy.Value.KnownProxies) forwarded.KnownProxies.Add(IPAddress.Parse(address));
            foreach (var network in proxy.Value.KnownNetworks) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });

        // The pipeline's own options record (the authors' defaults), overridable under "Pipeline".
        services.AddSingleton(_ => (configuration.GetSection("Pipeline").Get<DetectorOptions>() ?? new DetectorOptions()).Validate());
        services.AddSingleton(sp => new ImageLoader(ImageDecoding(sp.GetRequiredService<IOptions<LimitsOptions>>().Value)));

        services.AddSingleton<ModelHost>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelHost>());
        services.AddSingleton<DetectionQueue>();
        services.AddHostedService<BatchingWorker>();
        services.AddSingleton<ServiceMetrics>();
        services.AddSingleton<ImageUploadReader>();
        services.AddSingleton<DetectionCoordinator>();

        services.AddControllers(mvc =>
        {
            // Uploads are read by ImageUploadReader; MVC's own form binding would parse any form-typed body first
            // and fail with a 500 on image bytes sent as application/x-www-form-urlencoded.
            mvc.ValueProviderFactories.RemoveType<FormValueProviderFactory>();
            mvc.ValueProviderFactories.RemoveType<FormFileValueProviderFactory>();
            mvc.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddHealthChecks().AddCheck<ModelReadyHealthCheck>("model", tags: ["ready"]);
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "CornerNet detection service",
                Version = "v1",
                Description = "CornerNet (Law & Deng, ECCV 2018) object detection over HTTP.",
            });
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            options.IncludeXmlComments(xml);
            options.OperationFilter<ImageUploadOperationFilter>();
        });

        // Body size is enforced by Kestrel as well as by the upload reader (which also covers test hosts).
        var limits = configuration.GetSection(LimitsOptions.Section).Get<LimitsOptions>() ?? new LimitsOptions();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBytes);

        // Queued work is finished on shutdown, within the drain time (BatchingWorker.StopAsync).
        var batching = configuration.GetSection(BatchingOptions.Section).Get<BatchingOptions>() ?? new BatchingOptions();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(batching.ShutdownDrainSeconds + 5));

        builder.Host.UseSerilog((context, logger) =>
        {
            var json = context.Configuration.GetSection(ServiceLoggingOptions.Section).Get<ServiceLoggingOptions>()?.Format == "json";
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

    public static WebApplication UseDetectionService(this WebApplication app)
    {
        var queue = app.Services.GetRequiredService<DetectionQueue>();
        app.Lifetime.ApplicationStopping.Register(queue.Close);

        // First: the client's real address, scheme and path prefix, from trusted proxies only.
        app.UseForwardedHeaders();
        var pathBase = app.Services.GetRequiredService<IOptions<ReverseProxyOptions>>().Value.PathBase;
        if (pathBase.Length > 0)
        {
            app.UsePathBase(pathBase);
        }

        // Outermost after that, so it logs the status the exception handler settled on.
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms for {ClientAddress}";
            options.EnrichDiagnosticContext = (diagnostics, http) =>
                diagnostics.Set("ClientAddress", http.Connection.RemoteIpAddress?.ToString());
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();

        // The detection page at / (static files embedded in this assembly).
        var page = new EmbeddedFileProvider(typeof(DetectionServiceExtensions).Assembly, "Page");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });

        app.UseSwagger();
        app.UseSwaggerUI(options => options.DocumentTitle = "CornerNet detection service");

        app.MapControllers();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapMetrics("/metrics");
        return app;
    }

    /// <summary>The options classes validated at start-up, so <see cref="ConfigurationIsValid"/> can check them all.</summary>
    private sealed record ValidatedOptionTypes(List<Type> Types);

    private static void AddValidatedOptions<T>(IServiceCollection services, string section) where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        var registered = services.Select(d => d.ImplementationInstance).OfType<ValidatedOptionTypes>().SingleOrDefault();
        if (registered is null)
        {
            registered = new ValidatedOptionTypes([]);
            services.AddSingleton(registered);
        }

        registered.Types.Add(typeof(T));
    }

    /// <summary>Checks every options class before the host starts, so a bad setting is one clear log line (the host's
    /// own start-up validation would report it with a stack trace).</summary>
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
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is OptionsValidationException invalid)
            {
                problems.AddRange(invalid.Failures);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is InvalidOperationException unconvertible)
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

    private static ImageDecodingOptions ImageDecoding(LimitsOptions limits)
    {
        var formats = limits.ImageFormats.Select(f => f.ToLowerInvariant()).ToHashSet();
        return new ImageDecodingOptions
        {
            AllowGif = formats.Contains("gif"),
            AllowTiff = formats.Contains("tiff"),
            MaxPixelCount = limits.MaxPixels,
            MaxSide = limits.MaxSide,
        }.Validate();
    }
}
