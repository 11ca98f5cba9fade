using CornerNet.Service.Batching;

namespace CornerNet.Service.Hosting;

/// <summary>The queue in front of the model and the worker that runs its batches.</summary>
public static class BatchingServiceExtensions
{
    public static IServiceCollection AddDetectionBatching(this IServiceCollection services)
    {
        services.AddSingleton<DetectionQueue>();
        services.AddHostedService<BatchingWorker>();
        return services;
    }

    /// <summary>New requests are refused once the host is stopping; queued ones are still finished
    /// (BatchingWorker.StopAsync).</summary>
    public static WebApplication CloseQueueOnShutdown(this WebApplication app)
    {
        var queue = app.Services.GetRequiredService<DetectionQueue>();
        app.Lifetime.ApplicationStopping.Register(queue.Close);
        return app;
    }
}
