using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CornerNet.Service.Modeling;

/// <summary>Ready once the model is loaded and warmed up.</summary>
public sealed class ModelReadyHealthCheck(ModelHost modelHost) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(modelHost.IsReady
            ? HealthCheckResult.Healthy("Model loaded and warmed up.")
            : modelHost.LoadFailure is { } failure
                ? HealthCheckResult.Unhealthy(failure)
                : HealthCheckResult.Unhealthy("Model loading."));
}
