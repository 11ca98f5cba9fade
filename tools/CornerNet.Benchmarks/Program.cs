using System.CommandLine;
using CornerNet.Benchmarks;

// dotnet run --project tools/CornerNet.Benchmarks -c Release -- bench --help
// Before libtorch loads, as the service does; the authors' side inherits it (see OpenMpWaitPolicy).
CornerNet.Model.Architecture.OpenMpWaitPolicy.PreferPassive();
var root = new RootCommand("CornerNet benchmarks: the detector stage by stage, side by side with the authors' code.")
{
    BenchCommand.Create(),
    AugmentationBenchCommand.Create(),
    DecodeBenchCommand.Create(),
    ProfileCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
