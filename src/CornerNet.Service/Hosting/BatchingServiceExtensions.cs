using CornerNet.Service.Batching;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CornerNet.Service.Hosting;

/// <summary>What the models' queues and batching workers share: the clock and the shutdown drain's count. Each model's
/// queue, admission and worker are its own (<see cref="Modeling.ModelUnit"/>, started by <see cref="Modeling.ModelRegistry"/>).</summary>
public static class BatchingServiceExtensions
{
    public static IServiceCollection AddDetectionBatching(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ShutdownDrain>();
        return services;
    }
}
