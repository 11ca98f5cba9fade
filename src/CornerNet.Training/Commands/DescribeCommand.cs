using System.CommandLine;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;

namespace CornerNet.Training.Commands;

/// <summary>
/// <c>describe --arch hourglass104|squeeze|saccade|FILE.json</c>: every state-dict key with its shape, then the parameter
/// count, so anyone can compare the network with the authors' key list. For the hourglass family BatchNorm's
/// num_batches_tracked counters are left out, as in CornerNet's PyTorch 0.4 checkpoints; for squeeze they are in, with
/// the <c>module.</c> prefix, as in CornerNet-Lite's (squeeze and saccade).
/// </summary>
public static class DescribeCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch")
        {
            Description = "A preset name (" + string.Join(", ", ArchitecturePresets.All.Keys) + ") or an architecture JSON file.",
            Required = true,
        };
        var command = new Command("describe", "Print the network's state-dict keys and shapes and its parameter count.") { arch };
        command.SetAction(parse => Run(parse.GetValue(arch)!, Console.Out));
        return command;
    }

    public static int Run(string presetOrPath, TextWriter output)
    {
        ArchitectureSpec spec;
        try
        {
            spec = ArchitectureSpec.Resolve(presetOrPath);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            Console.Error.WriteLine($"describe: {e.Message}");
            return 2;
        }

        using var network = new CornerNetNetwork(spec);
        // Hourglass: the keys of CornerNet's published (PyTorch 0.4) checkpoints, which have no BatchNorm counters.
        // Squeeze and saccade: the keys of CornerNet-Lite's checkpoints, counters and their "module." prefix included.
        var entries = spec.Family != NetworkFamily.Hourglass
            ? ModelWeights.CheckpointEntries(network)
            : ModelWeights.Entries(network, includeBatchCounters: false);
        foreach (var (key, value) in entries)
        {
            output.WriteLine($"{key}\t{ModelWeights.Describe(value.shape)}");
        }

        output.WriteLine($"parameters: {network.ParameterCount()}");
        return 0;
    }
}
