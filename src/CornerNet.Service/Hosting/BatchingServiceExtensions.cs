using CornerNet.Service.Batching;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CornerNet.Service.Hosting;

/// <summary>The queue in front of the model, its admission, and the worker that runs its batches (which also closes the
/// queue and drains it when the host stops).</summary>
public static class BatchingServiceExtensions
{
    public static IServiceCollection AddDetectionBatching(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DetectionQueue>();
        services.AddSingleton<ImageTimeEstimate>();
        services.AddSingleton<QueueAdmission>();
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService<BatchingWorker>();
        return services;
    }
}
