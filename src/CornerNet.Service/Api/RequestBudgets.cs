using CornerNet.Service.Configuration;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Api;

/// <summary>
/// What all requests together may hold, whatever each declares: decoded pixels (Limits:MaxPixelsInFlight) and
/// request-body bytes being read (Limits:MaxBodyBytesInFlight). A request that would go over either is answered 503
/// with Retry-After at once. Also tells when the service last went idle (<see cref="Modeling.IdleMemoryTrimmer"/>).
/// </summary>
public sealed class RequestBudgets(IOptions<LimitsOptions> limits, ServiceMetrics metrics)
{
    /// <summary>How long a client refused for a full budget is asked to wait.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public InFlightBudget Pixels { get; } = new(limits.Value.MaxPixelsInFlight);

    public InFlightBudget BodyBytes { get; } = new(limits.Value.MaxBodyBytesInFlight);

    /// <summary>Nothing held by any request.</summary>
    public bool Idle => Pixels.InUse == 0 && BodyBytes.InUse == 0;

    /// <summary>Milliseconds (<see cref="Environment.TickCount64"/>) since both budgets were last empty.</summary>
    public long LastIdleSince => Math.Max(Pixels.LastIdleSince, BodyBytes.LastIdleSince);

    /// <summary>The 503 for pixels that do not fit (counted in <c>cornernet_budget_rejections_total{budget="pixels"}</c>).</summary>
    public ApiProblemException PixelsExhausted(long wanted)
    {
        metrics.BudgetRejections.WithLabels("pixels").Inc();
        return new(StatusCodes.Status503ServiceUnavailable, "Busy",
            $"The service is decoding as many pixels as it may hold at once (Limits:MaxPixelsInFlight {Pixels.Limit}); " +
            $"this request's {wanted} did not fit. Retry shortly.", RetryAfter);
    }

    /// <summary>The 503 for body bytes that do not fit (counted under <c>budget="body_bytes"</c>).</summary>
    public ApiProblemException BodyBytesExhausted()
    {
        metrics.BudgetRejections.WithLabels("body_bytes").Inc();
        return new(StatusCodes.Status503ServiceUnavailable, "Busy",
            $"The service is reading as many request-body bytes as it may hold at once (Limits:MaxBodyBytesInFlight {BodyBytes.Limit}). Retry shortly.",
            RetryAfter);
    }
}
