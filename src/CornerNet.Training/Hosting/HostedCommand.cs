using System.CommandLine;
using System.CommandLine.Invocation;

namespace CornerNet.Training.Hosting;

/// <summary>Runs a command's work inside the worker host instead of directly in its System.CommandLine action.</summary>
public static class HostedCommand
{
    /// <summary>
    /// Replaces the command's action with one that runs it as the verb of a worker host. For verbs with no services of
    /// their own and no early stop: a stop request ends them at once with <see cref="WorkerHost.InterruptedExitCode"/>.
    /// </summary>
    public static Command RunInHost(this Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Func<ParseResult, CancellationToken, int> run = command.Action switch
        {
            SynchronousCommandLineAction action => (parse, _) => action.Invoke(parse),
            AsynchronousCommandLineAction action => (parse, stopping) => action.InvokeAsync(parse, stopping).GetAwaiter().GetResult(),
            _ => throw new ArgumentException($"'{command.Name}' has no action to run in the host.", nameof(command)),
        };
        command.SetAction((parse, cancellationToken) => WorkerHost.RunVerbAsync(
            new WorkerHostOptions { Verb = command.Name },
            services => services.AddWorkerVerb(stopping => run(parse, stopping)),
            cancellationToken));
        return command;
    }
}
