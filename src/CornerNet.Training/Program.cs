using System.CommandLine;
using CornerNet.Training.Commands;

var root = new RootCommand("CornerNet training worker and model tools.")
{
    DescribeCommand.Create(),
    SynthCommand.Create(),
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    ConvertCommand.Create(),
    BenchCommand.Create(),
};
return root.Parse(args).Invoke();
