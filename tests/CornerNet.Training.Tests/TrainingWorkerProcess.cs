using CornerNet.Tools.Common;

namespace CornerNet.Training.Tests;

/// <summary>The training worker (CornerNet.Training.dll, copied beside the tests) run as a child process.</summary>
internal static class TrainingWorkerProcess
{
    public static string WorkerPath { get; } = Path.Combine(AppContext.BaseDirectory, "CornerNet.Training.dll");

    public static ChildProcess Start(params string[] arguments) => ChildProcess.StartDotnet(WorkerPath, arguments);

    /// <summary>Runs to the end (or throws after <paramref name="timeout"/>) and returns the exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, params string[] arguments) =>
        ChildProcess.RunDotnetAsync(WorkerPath, arguments, timeout).GetAwaiter().GetResult();
}
