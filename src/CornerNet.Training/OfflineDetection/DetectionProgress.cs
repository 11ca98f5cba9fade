using System.Diagnostics;
using System.Globalization;

namespace CornerNet.Training.OfflineDetection;

/// <summary>How <c>detect</c> shows its progress on standard error.</summary>
public enum ProgressStyle
{
    /// <summary>A bar redrawn in place when standard error is a terminal, plain lines otherwise.</summary>
    Auto,

    /// <summary>A bar redrawn in place (carriage return), whatever standard error is.</summary>
    Bar,

    /// <summary>A plain line at most every interval, for logs.</summary>
    Lines,

    /// <summary>Nothing but skipped images and the summary.</summary>
    None,
}

/// <summary>Progress of a <c>detect</c> run: images done of the shard's total, rate, time left and skipped files.</summary>
public sealed class DetectionProgress
{
    private const int BarWidth = 30;
    private readonly TextWriter _writer;
    private readonly ProgressStyle _style;
    private readonly TimeSpan _interval;
    private readonly int _total;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly int _resumedFrom;
    private long _lastLine;
    private bool _barDrawn;

    /// <param name="done">Images already done by an earlier, interrupted run (not counted in the rate).</param>
    public DetectionProgress(TextWriter writer, ProgressStyle style, TimeSpan interval, int total, int done)
    {
        _writer = writer;
        _style = style == ProgressStyle.Auto ? (Console.IsErrorRedirected ? ProgressStyle.Lines : ProgressStyle.Bar) : style;
        _interval = interval;
        _total = total;
        _resumedFrom = done;
        Done = done;
        _lastLine = _started;
    }

    public int Done { get; private set; }

    public int Skipped { get; private set; }

    /// <summary>Images per second since this run started.</summary>
    public double Rate
    {
        get
        {
            var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
            return seconds > 0 ? (Done - _resumedFrom) / seconds : 0;
        }
    }

    public void Report(BatchOutcome batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Done += batch.Images.Count;
        foreach (var image in batch.Images.Where(i => i.Skipped))
        {
            Skipped++;
            ClearBar();
            _writer.WriteLine($"detect: skipped '{image.Name}': {image.Error}");
        }

        switch (_style)
        {
            case ProgressStyle.Bar:
                _writer.Write($"\r{Bar()}");
                _barDrawn = true;
                break;
            case ProgressStyle.Lines when Done == _total || Stopwatch.GetElapsedTime(_lastLine) >= _interval:
                _lastLine = Stopwatch.GetTimestamp();
                _writer.WriteLine($"detect: {Status()}");
                break;
        }

        _writer.Flush();
    }

    /// <summary>Ends the bar's line so later output starts on a line of its own.</summary>
    public void Finish()
    {
        if (_barDrawn) _writer.WriteLine();
        _barDrawn = false;
        _writer.Flush();
    }

    private void ClearBar()
    {
        if (!_barDrawn) return;
        _writer.Write('\r');
        _writer.Write(new string(' ', Bar().Length));
        _writer.Write('\r');
        _barDrawn = false;
    }

    private string Bar()
    {
        int filled = _total == 0 ? BarWidth : (int)((long)Done * BarWidth / _total);
        return $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {Status()}";
    }

    private string Status()
    {
        double rate = Rate;
        var left = rate > 0 ? TimeSpan.FromSeconds((_total - Done) / rate) : (TimeSpan?)null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Done}/{_total} images ({(_total == 0 ? 100 : 100.0 * Done / _total):F0}%), {rate:F1} images/s, {(left is { } l ? $"{(int)l.TotalMinutes}m{l.Seconds:D2}s left" : "time left unknown")}, {Skipped} skipped");
    }
}
