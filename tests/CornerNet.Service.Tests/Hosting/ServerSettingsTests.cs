using CornerNet.Service.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Tests.Hosting;

/// <summary>Kestrel and host settings come from the validated options, not from raw configuration reads.</summary>
public sealed class ServerSettingsTests
{
    [Fact]
    public async Task Kestrel_body_limit_and_shutdown_timeout_follow_the_settings()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Limits:MaxRequestBytes"] = "123456",
            ["Batching:ShutdownDrainSeconds"] = "7",
            ["Batching:ShutdownBatchGraceSeconds"] = "4",
        }, realPort: true);
        await factory.CreateReadyClientAsync();
        var kestrel = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        Assert.Equal(123456, kestrel.Limits.MaxRequestBodySize);
        var host = factory.Services.GetRequiredService<IOptions<HostOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(7 + 4) + ServerExtensions.AnswerMargin, host.ShutdownTimeout);
    }

    [Fact]
    public void Settings_read_while_the_host_is_built_fall_back_to_defaults_while_invalid()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Architecture"] = "tiny",
            ["Model:Weights"] = "weights.pth",
            ["Batching:ShutdownDrainSeconds"] = "-1",
        }).Build());
        services.AddDetectionSettings();
        services.ConfigureShutdown();
        using var provider = services.BuildServiceProvider();
        // No exception here: the start-up check reports the setting in one line and stops the service instead.
        Assert.Equal(new HostOptions().ShutdownTimeout, provider.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
