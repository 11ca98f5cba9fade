using System.Reflection;
using CornerNet.Service.Api;
using CornerNet.Service.Configuration;
using CornerNet.Service.Security;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi.Models;

namespace CornerNet.Service.Hosting;

/// <summary>The HTTP API (controllers, problem details, OpenAPI) and the detection page.</summary>
public static class ApiServiceExtensions
{
    public static IServiceCollection AddDetectionApi(this IServiceCollection services)
    {
        services.AddSingleton<RequestBudgets>();
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
        return services;
    }

    /// <summary>Errors as RFC 9457 problem details, whether thrown or set as a bare status code.</summary>
    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>The detection page at / (static files embedded in this assembly).</summary>
    public static WebApplication UseDetectionPage(this WebApplication app)
    {
        var page = new EmbeddedFileProvider(typeof(ApiServiceExtensions).Assembly, "Page");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });
        return app;
    }

    public static WebApplication MapDetectionApi(this WebApplication app)
    {
        var apiKeys = app.Services.GetRequiredService<IOptions<ApiKeysOptions>>().Value;
        app.MapSwagger().ProtectedIf(apiKeys.ProtectSwagger);
        app.UseSwaggerUI(options => options.DocumentTitle = "CornerNet detection service");
        // Who may call each controller is its [Authorize] policy (a scope); the rate applies to all of them.
        app.MapControllers().RequireRateLimiting(RequestRateLimiting.Policy);
        return app;
    }
}
