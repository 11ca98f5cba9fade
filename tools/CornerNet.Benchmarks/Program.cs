using System.CommandLine;
using CornerNet.Benchmarks;

// dotnet run --project tools/CornerNet.Benchmarks -c Release -- bench --help
var root = new RootCommand("CornerNet benchmarks: the detector stage by stage, side by side with the authors' code.")
{
    BenchCommand.Create(),
    AugmentationBenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
