using System.CommandLine;
using CornerNet.Training.Commands;

namespace CornerNet.Training.Hosting;

/// <summary>The worker's verbs: System.CommandLine parses them, and each runs in a Generic Host of its own.</summary>
public static class WorkerCommandLine
{
    public static RootCommand Create() => new("CornerNet training worker: synthetic data, training, evaluation, offline detection and merging its shards, checkpoint conversion and description.")
    {
        DescribeCommand.Create().RunInHost(),
        SynthCommand.Create().RunInHost(),
        TrainCommand.Create(),
        EvaluateCommand.Create().RunInHost(),
        DetectCommand.Create(),
        MergeCommand.Create().RunInHost(),
        ConvertCommand.Create().RunInHost(),
    };

    /// <summary>Parses <paramref name="args"/> and runs the verb; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) =>
        // The host's lifetime handles Ctrl-C and SIGTERM; System.CommandLine's own handling would end the process
        // two seconds after the signal, which may be before a training checkpoint is written.
        Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellationToken);
}
