namespace CornerNet.LoadGenerator;

/// <summary>Entry point; a named class, as the tests reference both this and the service (whose Program is global).</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => LoadCommand.Create().Parse(args).InvokeAsync();
}
