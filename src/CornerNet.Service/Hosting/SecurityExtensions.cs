using CornerNet.Service.Configuration;
using Microsoft.AspNetCore.Authentication;
using CornerNet.Service.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CornerNet.Service.Hosting;

/// <summary>API keys (ASP.NET Core authentication and authorization) and per-key request rates (its rate limiter).</summary>
public static class SecurityExtensions
{
    public static IServiceCollection AddDetectionSecurity(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyStore>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<ApiKeysOptions>>((authorization, apiKeys) =>
        {
            // With keys off every policy lets everyone in, so the endpoints need no other marking.
            var enabled = apiKeys.ValidOrNull()?.Enabled == true;
            authorization.AddPolicy(ApiScopes.Detect, policy => Require(policy, enabled, ApiScopes.Detect));
            authorization.AddPolicy(ApiScopes.Admin, policy => Require(policy, enabled, ApiScopes.Admin));
            authorization.AddPolicy(ApiScopes.AnyKeyPolicy, policy => Require(policy, enabled, scope: null));
        });
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>, IOptions<ApiKeysOptions>, ApiKeyStore>(RequestRateLimiting.Configure);
        services.AddOptions<SwaggerGenOptions>().Configure<IOptions<ApiKeysOptions>>((swagger, apiKeys) =>
        {
            if (apiKeys.ValidOrNull()?.Enabled == true) DescribeApiKey(swagger);
        });
        return services;
    }

    /// <summary>After routing: who is calling, whether the endpoint allows it, whether the caller's rate allows it.</summary>
    public static WebApplication UseDetectionSecurity(this WebApplication app)
    {
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>/metrics or the OpenAPI document behind a key, if configured so.</summary>
    public static TBuilder ProtectedIf<TBuilder>(this TBuilder endpoints, bool protect) where TBuilder : IEndpointConventionBuilder =>
        protect ? endpoints.RequireAuthorization(ApiScopes.AnyKeyPolicy) : endpoints;

    private static void Require(AuthorizationPolicyBuilder policy, bool enabled, string? scope)
    {
        if (!enabled)
        {
            policy.RequireAssertion(_ => true);
            return;
        }

        policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser();
        if (scope is not null) policy.RequireClaim(ApiScopes.ClaimType, scope);
    }

    /// <summary>Swagger UI's "Authorize" button: the key sent as X-Api-Key by "Try it out".</summary>
    private static void DescribeApiKey(SwaggerGenOptions swagger)
    {
        var scheme = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key (or send it as 'Authorization: Bearer <key>').",
            Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = ApiKeyAuthenticationHandler.SchemeName },
        };
        swagger.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, scheme);
        swagger.AddSecurityRequirement(new OpenApiSecurityRequirement { [scheme] = [] });
    }
}
