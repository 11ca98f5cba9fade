using CornerNet.Tools.Common;

namespace CornerNet.Service.Tests;

/// <summary>The real service as a separate process, serving the network fixture on CPU with JSON logs.</summary>
public static class ServiceProcess
{
    public static string ServiceDll => Path.Combine(AppContext.BaseDirectory, "CornerNet.Service.dll");

    /// <param name="environment">Variables on top of the fixture model's (<c>Section__Key</c>).</param>
    public static Task<ServiceChildProcess> StartAsync(IDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>
        {
            ["Model__Architecture"] = RepositoryPaths.Fixture("network", "fixture_arch.json"),
            ["Model__Weights"] = RepositoryPaths.Fixture("network", "fixture_zip.pth"),
            ["Model__Device"] = "cpu",
            ["ServiceLogging__Format"] = "json",
            ["Batching__MeasureBatchSizes"] = "false",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) variables[key] = value;
        return ServiceChildProcess.StartAsync(new ServiceLaunch(ServiceDll, RepositoryPaths.Root) { Environment = variables, StopGrace = TimeSpan.Zero });
    }
}
