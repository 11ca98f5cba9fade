using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CornerNet.LoadGenerator;

/// <summary>
/// The real service (<c>dotnet CornerNet.Service.dll</c>) as a child process on a free loopback port, with configuration
/// overrides on its command line. Its output is drained continuously (a full pipe would stall the service) and the
/// last lines kept for error messages.
/// </summary>
public sealed class ServiceChildProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lastLines = new();

    private ServiceChildProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public string LastLines => string.Join('\n', _lastLines);

    /// <summary>Starts the service and returns once /health/ready answers 200 (the model is loaded and warmed up).</summary>
    public static async Task<ServiceChildProcess> StartAsync(
        string serviceDll, string contentRoot, IReadOnlyDictionary<string, string> overrides, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var address = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = contentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(serviceDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        foreach (var (key, value) in overrides)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var service = new ServiceChildProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started."), address);
        try
        {
            await service.WaitUntilReadyAsync(readyTimeout, cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode} before it was ready:\n{LastLines}");
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

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The service was not ready within {timeout.TotalSeconds:F0} s:\n{LastLines}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Stops the service as `docker stop` does (SIGTERM, then a kill if it takes too long).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                using var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await terminate.WaitForExitAsync();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _lastLines.Enqueue(line);
        while (_lastLines.Count > KeptLines) _lastLines.TryDequeue(out _);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
