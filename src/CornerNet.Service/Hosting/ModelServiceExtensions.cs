using CornerNet.Model.Inference;
using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Hosting;

/// <summary>The models the service runs (each with its queue and batching worker), their pipeline settings and image
/// decoding.</summary>
public static class ModelServiceExtensions
{
    public static IServiceCollection AddDetectionModel(this IServiceCollection services)
    {
        // Over the model's own settings when it loads (LoadedModel).
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PipelineOptions>>().Value.ToOverrides());
        services.AddSingleton(sp => new ImageLoader(ImageDecoding(sp.GetRequiredService<IOptions<LimitsOptions>>().Value)));
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelRegistry>());
        services.AddSingleton<IdleMemoryTrimmer>();
        services.AddHostedService(sp => sp.GetRequiredService<IdleMemoryTrimmer>());
        return services;
    }

    private static ImageDecodingOptions ImageDecoding(LimitsOptions limits)
    {
        var formats = limits.EnabledImageFormats;
        return new ImageDecodingOptions
        {
            AllowGif = formats.Contains("gif"),
            AllowTiff = formats.Contains("tiff"),
            MaxPixelCount = limits.MaxPixels,
            MaxSide = limits.MaxSide,
            MaxInferenceSide = limits.MaxInferenceSide,
        }.Validate();
    }
}
