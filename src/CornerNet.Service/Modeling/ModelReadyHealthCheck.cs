using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CornerNet.Service.Modeling;

/// <summary>Ready once every configured model is loaded and warmed up.</summary>
public sealed class ModelReadyHealthCheck(ModelRegistry models) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(models.IsReady
            ? HealthCheckResult.Healthy(models.Units.Count == 1 ? "Model loaded and warmed up." : $"{models.Units.Count} models loaded and warmed up.")
            : models.LoadFailure is { } failure
                ? HealthCheckResult.Unhealthy(failure)
                : HealthCheckResult.Unhealthy($"Loading: {string.Join(", ", models.Units.Where(u => !u.IsReady).Select(u => u.Name))}."));
}
