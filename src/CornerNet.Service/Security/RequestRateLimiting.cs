using System.Globalization;
using System.Threading.RateLimiting;
using CornerNet.Service.Configuration;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Security;

/// <summary>
/// The API's rate policy (ASP.NET Core's rate limiter): a token bucket per API key when keys are enabled, per client
/// address when they are not (if RateLimits:AnonymousRequestsPerMinute is set); beyond it, 429 with Retry-After as a
/// problem document.
/// </summary>
public static class RequestRateLimiting
{
    /// <summary>The policy the API's endpoints carry.</summary>
    public const string Policy = "api";

    public static void Configure(RateLimiterOptions limiter, IOptions<RateLimitOptions> limits, IOptions<ApiKeysOptions> apiKeys, ApiKeyStore keys)
    {
        limiter.AddPolicy(Policy, context => Partition(context, limits.Value, apiKeys.Value.Enabled, keys));
        limiter.OnRejected = RejectAsync;
    }

    /// <summary>The bucket a request draws from. The key of the partition carries the rate, so a key whose rate is
    /// changed (a reloaded keys file) gets a new bucket.</summary>
    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions limits, bool keysEnabled, ApiKeyStore keys)
    {
        int perMinute, burst;
        string who;
        if (keysEnabled)
        {
            // Authorization ran first: a request here carries a known key (endpoints that allow anonymous use draw nothing).
            var name = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
            var key = name is null ? null : keys.Keys.FirstOrDefault(k => k.Name == name);
            if (key is null) return RateLimitPartition.GetNoLimiter("anonymous");
            perMinute = key.RequestsPerMinute ?? limits.RequestsPerMinute;
            burst = key.Burst ?? limits.Burst;
            who = $"key:{key.Name}";
        }
        else
        {
            perMinute = limits.AnonymousRequestsPerMinute;
            burst = limits.Burst;
            who = $"address:{context.Connection.RemoteIpAddress}";
        }

        if (perMinute == 0) return RateLimitPartition.GetNoLimiter(who);
        return RateLimitPartition.GetTokenBucketLimiter(
            string.Create(CultureInfo.InvariantCulture, $"{who}/{perMinute}/{burst}"),
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                // One request's worth per period: the limiter then reports that period as the time to retry after.
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
                QueueLimit = 0,
            });
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var who = http.User.Identity?.IsAuthenticated == true ? $"The API key '{http.User.Identity.Name}'" : "This client";
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"{who} has used its request rate (RateLimits); retry after {seconds} s.",
            },
        });
    }
}
