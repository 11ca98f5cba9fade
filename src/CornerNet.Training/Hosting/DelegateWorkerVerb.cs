namespace CornerNet.Training.Hosting;

/// <summary>A verb whose work is a delegate, for verbs that need no services of their own.</summary>
internal sealed class DelegateWorkerVerb(Func<CancellationToken, int> run) : IWorkerVerb
{
    public int Run(CancellationToken stopping) => run(stopping);
}
