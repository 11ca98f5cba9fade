using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace CornerNet.Tools.Common;

/// <summary>How the service is started as a child process.</summary>
/// <param name="ServiceDll">CornerNet.Service.dll, with its runtimeconfig and deps beside it.</param>
/// <param name="ContentRoot">Its working directory and content root: where appsettings.json and models/ are.</param>
public sealed record ServiceLaunch(string ServiceDll, string ContentRoot)
{
    /// <summary>Configuration given on its command line (<c>--Key=Value</c>, ':' separated), above appsettings.json and the environment.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Environment variables (<c>Section__Key</c>) set for it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>How long loading and warming up the model may take before /health/ready answers 200.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>On dispose: SIGTERM and this long to drain before a kill (zero kills at once).</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Output lines kept (see <see cref="ChildProcessOptions.KeptLines"/>).</summary>
    public int KeptLines { get; init; } = 100_000;
}

/// <summary>The real service (<c>dotnet CornerNet.Service.dll</c>) on a free loopback port, started and ready.</summary>
public sealed class ServiceChildProcess : IAsyncDisposable
{
    private ServiceChildProcess(ChildProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public ChildProcess Process { get; }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Starts the service and returns once /health/ready answers 200 (the model is loaded and warmed up).</summary>
    public static async Task<ServiceChildProcess> StartAsync(ServiceLaunch launch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        int port = LoopbackPort.Free();
        var arguments = new List<string> { "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" };
        arguments.AddRange(launch.Settings.Select(setting => $"--{setting.Key}={setting.Value}"));
        var process = ChildProcess.StartDotnet(launch.ServiceDll, arguments, new ChildProcessOptions
        {
            WorkingDirectory = launch.ContentRoot,
            Environment = launch.Environment,
            KeptLines = launch.KeptLines,
            StopGrace = launch.StopGrace,
        });
        var service = new ServiceChildProcess(process, port);
        try
        {
            await service.WaitUntilReadyAsync(launch.ReadyTimeout, cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with code {Process.ExitCode} before it was ready:\n{Process.Tail()}");
            }

            try
            {
                using var response = await client.GetAsync("/health/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException($"The service was not ready within {timeout.TotalSeconds:F0} s:\n{Process.Tail()}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
