using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CornerNet.Service.Tests;

/// <summary>
/// The real service host (Program, appsettings.json from the repository root) serving the small fixture network that
/// real PyTorch wrote (tests/fixtures/network), with per-test configuration on top.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    private readonly IDictionary<string, string?>? _overrides;
    private readonly bool _fixtureModel;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="overrides">Configuration on top of the fixture model's.</param>
    /// <param name="realPort">Serve over Kestrel on a loopback port instead of the in-memory test server.</param>
    /// <param name="fixtureModel">Serve the fixture network; false serves what appsettings.json names (the demo model).</param>
    /// <param name="services">Registrations on top of the service's (e.g. an in-memory trace exporter).</param>
    public ServiceFactory(IDictionary<string, string?>? overrides = null, bool realPort = false, bool fixtureModel = true,
        Action<IServiceCollection>? services = null)
    {
        _overrides = overrides;
        _fixtureModel = fixtureModel;
        _services = services;
        if (realPort)
        {
            UseKestrel(0);
        }
    }

    public static readonly Dictionary<string, string?> FixtureModel = new()
    {
        ["Model:Architecture"] = RepositoryPaths.Fixture("network", "fixture_arch.json"),
        ["Model:Weights"] = RepositoryPaths.Fixture("network", "fixture_zip.pth"),
        ["Model:Device"] = "cpu",
        // The fixture network's random weights score low; keep everything so responses are not empty.
        ["Detection:ScoreThreshold"] = "0",
        // Timing batch sizes at the fixture's 511x511 input costs start-up seconds on a loaded machine; the tests that
        // are about it turn it on.
        ["Batching:MeasureBatchSizes"] = "false",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(RepositoryPaths.Root);
        builder.ConfigureAppConfiguration(configuration =>
        {
            var settings = _fixtureModel ? new Dictionary<string, string?>(FixtureModel) : [];
            foreach (var (key, value) in _overrides ?? new Dictionary<string, string?>())
            {
                settings[key] = value;
            }

            configuration.AddInMemoryCollection(settings);
        });
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }

    /// <summary>A client, once the model is loaded and warmed up.</summary>
    public async Task<HttpClient> CreateReadyClientAsync()
    {
        var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var ready = await client.GetAsync("/health/ready");
            if (ready.IsSuccessStatusCode) return client;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The service did not become ready within 60 s.");
            await Task.Delay(50);
        }
    }
}
