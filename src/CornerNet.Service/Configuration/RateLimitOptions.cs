using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>
/// Request rates on the API (detection and model information; health, metrics and the page are never limited), counted
/// per API key when keys are enabled, per client address otherwise. A token bucket: Burst requests at once, refilled
/// at RequestsPerMinute. Beyond it: 429 with Retry-After.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Each key's rate unless the key sets its own; 0 (the default) means unlimited.</summary>
    [Range(0, 1_000_000, ErrorMessage = "RateLimits:RequestsPerMinute must be between 0 and 1000000.")]
    public int RequestsPerMinute { get; set; }

    /// <summary>Requests a key (or address) may send at once above its rate.</summary>
    [Range(1, 1_000_000, ErrorMessage = "RateLimits:Burst must be between 1 and 1000000.")]
    public int Burst { get; set; } = 10;

    /// <summary>When keys are disabled: the rate per client address (after ReverseProxy's forwarded headers); 0 (the
    /// default) means unlimited.</summary>
    [Range(0, 1_000_000, ErrorMessage = "RateLimits:AnonymousRequestsPerMinute must be between 0 and 1000000.")]
    public int AnonymousRequestsPerMinute { get; set; }
}
