namespace CornerNet.LoadGenerator;

/// <summary>Entry point; a named class, as the tests reference both this and the service (whose Program is global).</summary>
public static class Program
{
    public static Task<int> Main(string[] args)
    {
        // Before libtorch loads, as the service does (see OpenMpWaitPolicy).
        CornerNet.Model.Architecture.OpenMpWaitPolicy.PreferPassive();
        return LoadCommand.Create().Parse(args).InvokeAsync();
    }
}
