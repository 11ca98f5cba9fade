using System.Diagnostics;
using System.Globalization;

namespace CornerNet.Tools.Common;

/// <summary>How a <see cref="ChildProcess"/> is started and stopped.</summary>
public sealed record ChildProcessOptions
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set on top of this process's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Output lines kept per stream (oldest dropped first), so a long run does not grow without bound.</summary>
    public int KeptLines { get; init; } = 100_000;

    /// <summary>On dispose: SIGTERM and this long to exit before a kill; zero kills at once.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.Zero;
}

/// <summary>
/// A .NET program (<c>dotnet X.dll</c>) run as a child process, as an operator runs it: its standard output and error
/// drained continuously (a full pipe would stall it) and kept line by line; stopped by SIGTERM as container runtimes
/// and systemd stop it, or killed. The one way the tools and tests start the service and the training worker.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly ChildProcessOptions _options;
    private readonly Queue<string> _output = new();
    private readonly Queue<string> _error = new();
    private readonly Queue<string> _lines = new();

    private ChildProcess(Process process, ChildProcessOptions options)
    {
        _process = process;
        _options = options;
        _process.OutputDataReceived += (_, e) => Keep(_output, e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(_error, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Standard output so far.</summary>
    public string Output => Text(_output);

    /// <summary>Standard error so far.</summary>
    public string Error => Text(_error);

    /// <summary>Both streams' lines so far, in the order they arrived.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    /// <summary>The last lines of both streams, for error messages.</summary>
    public string Tail(int lines = 200) => string.Join('\n', Lines.TakeLast(lines));

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="arguments"/></c>.</summary>
    public static ChildProcess StartDotnet(string dll, IEnumerable<string> arguments, ChildProcessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dll);
        ArgumentNullException.ThrowIfNull(arguments);
        options ??= new ChildProcessOptions();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.WorkingDirectory is { } folder) start.WorkingDirectory = folder;
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in options.Environment) start.Environment[key] = value;
        return new ChildProcess(new Process { StartInfo = start }, options);
    }

    /// <summary>Runs to its end; kills it and throws <see cref="TimeoutException"/> (with its output) after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunDotnetAsync(
        string dll, IEnumerable<string> arguments, TimeSpan timeout, ChildProcessOptions? options = null)
    {
        using var child = StartDotnet(dll, arguments, options);
        int exitCode = await child.WaitForExitAsync(timeout);
        return (exitCode, child.Output, child.Error);
    }

    /// <summary>Waits for the exit and returns its code; kills it and throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0.#} s. Its output:\n{Tail()}");
        }

        return _process.ExitCode;
    }

    /// <summary>The same, blocking.</summary>
    public int WaitForExit(TimeSpan timeout) => WaitForExitAsync(timeout).GetAwaiter().GetResult();

    /// <summary>SIGTERM: the graceful stop of <c>docker stop</c>, Kubernetes and systemd.</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL of the whole tree: no chance to clean up.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited && _options.StopGrace > TimeSpan.Zero)
        {
            Terminate();
            using var grace = new CancellationTokenSource(_options.StopGrace);
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed below.
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        Kill();
        _process.WaitForExit(); // also lets the asynchronous output readers finish
        _process.Dispose();
    }

    private string Name => Path.GetFileName(_process.StartInfo.ArgumentList.FirstOrDefault() ?? _process.StartInfo.FileName);

    private void Keep(Queue<string> stream, string? line)
    {
        if (line is null) return;
        lock (_lines)
        {
            stream.Enqueue(line);
            _lines.Enqueue(line);
            while (stream.Count > _options.KeptLines) stream.Dequeue();
            while (_lines.Count > 2 * _options.KeptLines) _lines.Dequeue();
        }
    }

    private string Text(Queue<string> stream)
    {
        lock (_lines) return stream.Count == 0 ? "" : string.Join('\n', stream) + '\n';
    }
}
