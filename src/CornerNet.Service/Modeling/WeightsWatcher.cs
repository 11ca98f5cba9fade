namespace CornerNet.Service.Modeling;

/// <summary>
/// Watches one model's weights file: once change events for it (written, created, renamed onto it) have been quiet
/// for the debounce time, asks for a reload, which does nothing when the file's SHA-256 is the one being served (a
/// touch). Replacing the file by renaming a finished copy onto it is the safe way; a copy written in place may be read
/// half-written, fail to load, and be loaded when its last write settles.
/// </summary>
public sealed class WeightsWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _debounce;
    private readonly TimeSpan _quiet;
    private readonly string _fileName;

    public WeightsWatcher(string path, TimeSpan quiet, TimeProvider clock, Func<Task> changed)
    {
        _quiet = quiet;
        _fileName = Path.GetFileName(path);
        _debounce = clock.CreateTimer(_ => _ = changed(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // The whole folder, the name checked per event: a finished copy renamed onto the file is reported under the
        // copy's old name by the watcher's own filter.
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnEvent;
        _watcher.Created += OnEvent;
        _watcher.Renamed += OnEvent;
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _debounce.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.Name, _fileName, StringComparison.Ordinal)) _debounce.Change(_quiet, Timeout.InfiniteTimeSpan);
    }
}
