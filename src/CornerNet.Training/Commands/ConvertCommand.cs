using System.CommandLine;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;

namespace CornerNet.Training.Commands;

/// <summary>
/// <c>convert --in CornerNet_500000.pkl --arch hourglass104 --out models/cornernet.pth</c>: reads a checkpoint in
/// either of PyTorch's formats (the authors' legacy pickle or zip), loads it strictly into the architecture, and writes
/// our .pth with its .json beside it.
/// </summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--in") { Description = "Checkpoint to convert (.pkl or .pth).", Required = true };
        var arch = new Option<string>("--arch") { Description = "Architecture preset or JSON file the weights belong to.", Required = true };
        var output = new Option<string>("--out") { Description = "Output weights (.pth); the architecture .json is written beside it.", Required = true };
        var command = new Command("convert", "Convert a PyTorch checkpoint (e.g. the authors' .pkl) into weights + architecture files.") { input, arch, output };
        command.SetAction(parse => Run(parse.GetValue(input)!, parse.GetValue(arch)!, parse.GetValue(output)!, Console.Out));
        return command;
    }

    public static int Run(string inputPath, string architecture, string outputPath, TextWriter output)
    {
        try
        {
            RegularFile.Require(inputPath, "The checkpoint");
            var spec = ArchitectureSpec.Resolve(architecture);
            using var network = new CornerNetNetwork(spec);
            using (var weights = PyTorchCheckpointReader.Read(inputPath, maxTensorBytes: ModelWeights.CheckpointBytesLimit(network)))
            {
                ModelWeights.Load(network, weights);
            }

            ModelCheckpoint.Save(network, outputPath);
            output.WriteLine($"convert: {network.ParameterCount()} parameters of '{spec.Name}' written to {outputPath} and {ModelCheckpoint.ArchitecturePathFor(outputPath)}");
            return 0;
        }
        catch (Exception e) when (e is IOException or ArgumentException or CheckpointFormatException or CheckpointMismatchException or UnsafeCheckpointException)
        {
            Console.Error.WriteLine($"convert: {e.Message}");
            return 1;
        }
    }
}
