using System.Diagnostics;
using System.Net.Sockets;
using CornerNet.Tools.Common;

namespace CornerNet.Service.Tests.Deployment;

/// <summary>
/// Debian's nginx running the repository's docker/nginx/detector.conf, rewritten only for its listen port and upstream
/// address, inside the same minimal main configuration the official nginx image uses (events, http, include).
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly DirectoryInfo _folder;

    private NginxProcess(Process process, DirectoryInfo folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public string ErrorLog => File.Exists(Path.Combine(_folder.FullName, "error.log")) ? File.ReadAllText(Path.Combine(_folder.FullName, "error.log")) : "";

    public static string RewriteForTest(string configuration, int listenPort, int upstreamPort)
    {
        var rewritten = configuration
            .Replace("listen 80;", $"listen 127.0.0.1:{listenPort};")
            .Replace("server detector:8080 resolve;", $"server 127.0.0.1:{upstreamPort};");
        if (rewritten.Contains("listen 80;") || !rewritten.Contains($"server 127.0.0.1:{upstreamPort};"))
        {
            throw new InvalidOperationException("docker/nginx/detector.conf no longer has the listen and upstream lines the test rewrites.");
        }

        return rewritten;
    }

    public static async Task<NginxProcess> StartAsync(int upstreamPort)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's nginx (tests/run.sh does).");
        }

        var folder = Directory.CreateTempSubdirectory("cornernet-nginx-");
        // nginx's workers drop to 'nobody' when started as root; they need to write their temp files here.
        File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_111_111);
        var port = LoopbackPort.Free();
        var site = RewriteForTest(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docker", "nginx", "detector.conf")), port, upstreamPort);
        File.WriteAllText(Path.Combine(folder.FullName, "detector.conf"), site);
        var dir = folder.FullName;
        File.WriteAllText(Path.Combine(dir, "nginx.conf"), $$"""
            daemon off;
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 512; }
            http {
                access_log {{dir}}/access.log;
                client_body_temp_path {{dir}}/client_body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
                include {{dir}}/detector.conf;
            }
            """);

        var process = Process.Start(new ProcessStartInfo(Executable, ["-p", dir, "-c", Path.Combine(dir, "nginx.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var nginx = new NginxProcess(process, folder, port);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited: {await process.StandardError.ReadToEndAsync()} {nginx.ErrorLog}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return nginx;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _folder.Delete(recursive: true);
    }
}
