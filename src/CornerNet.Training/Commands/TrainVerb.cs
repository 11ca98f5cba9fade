using System.Globalization;
using CornerNet.Model.Data;
using CornerNet.Training.Hosting;
using CornerNet.Training.Trainer;
using Microsoft.Extensions.Options;

namespace CornerNet.Training.Commands;

/// <summary>
/// The <c>train</c> verb in the worker host: runs <see cref="CornerNetTrainer"/>, prints progress, and leaves a
/// JSON-lines loss log, checkpoints, the final weights and a loss-curve PNG. The host's stop request (SIGTERM, Ctrl-C)
/// is the trainer's cancellation, so a stopped run writes a checkpoint before it returns.
/// </summary>
public sealed class TrainVerb(IOptions<TrainVerbOptions> options) : IWorkerVerb
{
    public int Run(CancellationToken stopping)
    {
        var training = options.Value.Training;
        var logEvery = Math.Max(1, options.Value.LogEvery);
        using var announceStop = stopping.Register(() => Console.Error.WriteLine("train: stop requested, writing a checkpoint and stopping"));

        var interactive = !Console.IsOutputRedirected;
        var trainer = new CornerNetTrainer(training)
        {
            OnStart = line => Console.WriteLine($"train: {line}"),
            OnWarning = line =>
            {
                if (interactive) Console.WriteLine();
                Console.Error.WriteLine($"train: {line}");
            },
            OnCheckpoint = path =>
            {
                if (interactive) Console.WriteLine();
                Console.WriteLine($"train: checkpoint {path}");
            },
            OnProgress = p =>
            {
                if (interactive) Console.Write("\r" + FormatProgress(p) + "   ");
                else if (p.Iteration % logEvery == 0 || p.Iteration == p.TotalIterations) Console.WriteLine(FormatProgress(p));
            },
        };

        TrainingResult result;
        try
        {
            result = trainer.Run(stopping);
        }
        catch (Exception e) when (e is TrainingDataException or CocoFormatException or ArgumentException or IOException)
        {
            if (interactive) Console.WriteLine();
            Console.Error.WriteLine($"train: {e.Message}");
            return 1;
        }

        if (interactive) Console.WriteLine();
        WriteLossCurve(trainer.LossLogPath, Path.Combine(training.OutputDirectory, "loss-curve.png"));
        if (result.Interrupted)
        {
            Console.WriteLine($"train: stopped at iteration {result.CompletedIterations}; checkpoint {result.LastCheckpoint}; continue with --resume");
            return TrainCommand.InterruptedExitCode;
        }

        Console.WriteLine($"train: finished {result.CompletedIterations} iterations in {result.Seconds:F0} s; weights {result.FinalWeightsPath}");
        return 0;
    }

    public static string FormatProgress(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"iter {p.Iteration}/{p.TotalIterations}  {p.IterationsPerSecond:F2} it/s  eta {FormatDuration(p.EtaSeconds)}  lr {p.LearningRate:G3}  " +
        $"loss {p.Total:F4} (focal {p.Focal:F4} pull {p.Pull:F4} push {p.Push:F4} offset {p.Offset:F4}{(p.Attention > 0 ? $" attention {p.Attention:F4}" : "")})");

    private static string FormatDuration(double seconds) =>
        double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "?";

    private static void WriteLossCurve(string lossLogPath, string pngPath)
    {
        if (!File.Exists(lossLogPath)) return;
        var entries = LossLogEntry.ReadAll(lossLogPath);
        if (entries.Count < 2) return;
        LossCurvePlot.Save(entries, pngPath);
        Console.WriteLine($"train: loss curve {pngPath}");
    }
}
