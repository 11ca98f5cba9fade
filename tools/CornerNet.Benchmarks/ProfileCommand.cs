using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using CornerNet.Tools.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Benchmarks;

/// <summary>
/// <c>profile [--arch squeeze|FILE.json] [--weights FILE] [--precision fp32|bf16] [--threads N] [--iterations N]
/// [--warmup N] [--width W --height H]</c>: where a squeeze-family network's forward pass spends its time, for one
/// image's canvas. The network's modules are run one group at a time in the order of its forward pass (stem layers,
/// fire modules' parts, transposed convolutions, corner pools' convolutions and running maxima, heads), each timed in
/// wall and process-CPU milliseconds (median over the iterations of each group's sum), next to the whole forward pass
/// timed as the service runs it. The walk mirrors <see cref="CornerNetNetwork"/>'s forward pass for the squeeze
/// family; the "walk total" line against the "network forward" line shows what the walk misses or adds.
/// </summary>
public static class ProfileCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = "A squeeze-family preset or architecture JSON file.", DefaultValueFactory = _ => "squeeze" };
        var weights = new Option<string?>("--weights") { Description = "Weights file (default: random weights)." };
        var precision = new Option<string>("--precision") { Description = "fp32 or bf16.", DefaultValueFactory = _ => "bf16" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: libtorch's choice)." };
        var iterations = new Option<int>("--iterations") { Description = "Timed passes.", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed passes first.", DefaultValueFactory = _ => 2 };
        var width = new Option<int>("--width") { Description = "Image width (the canvas is the detector's for it).", DefaultValueFactory = _ => BenchCommand.DefaultWidth };
        var height = new Option<int>("--height") { Description = "Image height.", DefaultValueFactory = _ => BenchCommand.DefaultHeight };
        var command = new Command("profile", "Time a squeeze-family network's forward pass by module group.")
        {
            arch, weights, precision, threads, iterations, warmup, width, height,
        };
        command.SetAction(parse =>
        {
            try
            {
                var precisions = CommaSeparated.Precisions(parse.GetValue(precision)!, "--precision");
                var spec = ArchitectureSpec.Resolve(parse.GetValue(arch)!);
                if (spec.Family != NetworkFamily.Squeeze) throw new ArgumentException($"profile walks squeeze-family networks only ({spec.Name} is {spec.Family}).");
                if (precisions.Count != 1) throw new ArgumentException("--precision takes one precision.");
                if (parse.GetValue(iterations) < 1 || parse.GetValue(warmup) < 0) throw new ArgumentException("--iterations must be at least 1 and --warmup at least 0.");
                if (parse.GetValue(threads) is { } count) torch.set_num_threads(count);
                Run(spec, parse.GetValue(weights), precisions[0], parse.GetValue(width), parse.GetValue(height),
                    parse.GetValue(iterations), parse.GetValue(warmup), Console.Out);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or CheckpointFormatException or CheckpointMismatchException)
            {
                Console.Error.WriteLine($"profile: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    public static void Run(ArchitectureSpec spec, string? weightsPath, InferencePrecision precision, int width, int height, int iterations, int warmup, TextWriter output)
    {
        torch.random.manual_seed(1);
        using var network = new CornerNetNetwork(spec);
        if (weightsPath is not null)
        {
            using var stateDict = PyTorchCheckpointReader.Read(weightsPath);
            ModelWeights.Load(network, stateDict);
        }

        network.PrepareForInference(new InferenceTuning { Precision = precision });
        var geometry = CanvasGeometry.For(height, width, 1.0, spec.OutputStride);
        using var input = randn(1, 3, geometry.CanvasHeight, geometry.CanvasWidth);
        var walk = new NetworkWalk(network, precision);
        var forwardWall = new double[iterations];
        var forwardCpu = new double[iterations];
        using (inference_mode())
        {
            for (int i = 0; i < warmup; i++)
            {
                using var scope = NewDisposeScope();
                network.forward(input);
                walk.Run(input, record: false);
            }

            for (int i = 0; i < iterations; i++)
            {
                using (NewDisposeScope())
                {
                    double cpu = CpuClock.ProcessMilliseconds();
                    long started = Stopwatch.GetTimestamp();
                    network.forward(input);
                    forwardWall[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    forwardCpu[i] = CpuClock.ProcessMilliseconds() - cpu;
                }

                using (NewDisposeScope()) walk.Run(input, record: true);
            }
        }

        output.WriteLine($"profile: {spec.Name} ({spec.Family}), {network.Tuning}, canvas {geometry.CanvasWidth}x{geometry.CanvasHeight} for {width}x{height}, " +
                         $"{torch.get_num_threads()} threads, median of {iterations}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine($"{"group",-44}{"calls",7}{"wall ms",10}{"cpu ms",10}{"wall %",8}");
        double walkWall = walk.Groups.Values.Sum(g => Median(g.Wall));
        foreach (var (name, group) in walk.Groups)
        {
            double wall = Median(group.Wall);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-44}{group.Calls,7}{wall,10:F1}{Median(group.Cpu),10:F1}{100 * wall / walkWall,8:F1}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"walk total (sum of group medians)",-44}{"",7}{walkWall,10:F1}{walk.Groups.Values.Sum(g => Median(g.Cpu)),10:F1}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"network forward (as served)",-44}{"",7}{Median(forwardWall),10:F1}{Median(forwardCpu),10:F1}"));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed class Group
    {
        public List<double> Wall { get; } = [];
        public List<double> Cpu { get; } = [];
        public int Calls { get; set; }
        public double PassWall { get; set; }
        public double PassCpu { get; set; }
    }

    /// <summary>The squeeze family's forward pass, module group by module group (see the class summary).</summary>
    private sealed class NetworkWalk(CornerNetNetwork network, InferencePrecision precision)
    {
        private readonly Dictionary<string, nn.Module> _modules = network.named_modules().ToDictionary(m => m.name, m => m.module);
        private bool _record;

        public SortedDictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);

        public void Run(Tensor images, bool record)
        {
            _record = record;
            foreach (var group in Groups.Values) group.PassWall = group.PassCpu = group.Calls = 0;
            var stacks = network.Spec.Stacks;
            var x = Time("0 input to bf16 + channels-last", () =>
            {
                var converted = precision == InferencePrecision.Bf16 ? images.to(ScalarType.BFloat16) : images.alias();
                return ChannelsLast.From(converted);
            });
            x = Time("1 stem: conv 7x7/2", () => Module("hg.pre.0").forward(x));
            x = Time("1 stem: residual /2 (1)", () => Module("hg.pre.1").forward(x));
            x = Time("1 stem: residual /2 (2)", () => Module("hg.pre.2").forward(x));
            for (int stack = 0; stack < stacks; stack++)
            {
                var hourglassOutput = Hourglass($"hg.hgs.{stack}", x, 0);
                var features = Time("3 cnvs (3x3 conv)", () => Module($"hg.cnvs.{stack}").forward(hourglassOutput));
                if (stack == stacks - 1)
                {
                    var topLeft = CornerPool($"tl_modules.{stack}", features, PoolDirection.Top, PoolDirection.Left);
                    var bottomRight = CornerPool($"br_modules.{stack}", features, PoolDirection.Bottom, PoolDirection.Right);
                    foreach (var (head, source) in new[] { ("heats", topLeft), ("tags", topLeft), ("offs", topLeft), ("heats", bottomRight), ("tags", bottomRight), ("offs", bottomRight) })
                    {
                        var prefix = ReferenceEquals(source, topLeft) ? "tl" : "br";
                        var hidden = Time("5 heads: 1x1 conv + ReLU", () => Module($"{prefix}_{head}.{stack}.0").forward(source));
                        var last = (Conv2dLayer)Module($"{prefix}_{head}.{stack}.1");
                        Time("5 heads: output 1x1 conv (fp32) + to fp32", () =>
                            last.forward(hidden.dtype == last.Weight.dtype ? hidden : hidden.to(last.Weight.dtype)).to(ScalarType.Float32).contiguous());
                    }
                }
                else
                {
                    var inter = x;
                    x = Time("3 inters (1x1 convs, residual)", () =>
                    {
                        var merged = Module($"hg.inters_.{stack}").forward(inter).add_(Module($"hg.cnvs_.{stack}").forward(features));
                        return Module($"hg.inters.{stack}").forward(nn.functional.relu(merged, inplace: true));
                    });
                }
            }

            if (!record) return;
            foreach (var group in Groups.Values)
            {
                group.Wall.Add(group.PassWall);
                group.Cpu.Add(group.PassCpu);
            }
        }

        private Tensor Hourglass(string name, Tensor input, int level)
        {
            var skip = FireChain($"{name}.up1", input);
            var low = FireChain($"{name}.low1", input);
            var below = _modules[$"{name}.low2"] is SqueezeHourglassModule ? Hourglass($"{name}.low2", low, level + 1) : FireChain($"{name}.low2", low);
            var back = FireChain($"{name}.low3", below);
            var up = Time($"2 transposed conv 4x4/2, level {level} ({input.shape[1]} ch)", () => Module($"{name}.up2").forward(back));
            return Time("2 hourglass merges (crop + add)", () =>
            {
                var upsampled = up.shape[2] != skip.shape[2] || up.shape[3] != skip.shape[3] ? up[.., .., ..(int)skip.shape[2], ..(int)skip.shape[3]] : up;
                return skip.add_(upsampled);
            });
        }

        private Tensor FireChain(string name, Tensor input)
        {
            var x = input;
            foreach (var (childName, _) in _modules[name].named_children())
            {
                var fire = $"{name}.{childName}";
                var squeezeInput = x;
                var squeezed = Time("2 fire: squeeze 1x1", () => Module($"{fire}.conv1").forward(squeezeInput));
                var expanded1 = Time("2 fire: expand 1x1", () => Module($"{fire}.conv_1x1").forward(squeezed));
                var expanded3 = Time("2 fire: expand depthwise 3x3", () => Module($"{fire}.conv_3x3").forward(squeezed));
                x = Time("2 fire: concatenate + add + ReLU", () =>
                {
                    var joined = cat([expanded1, expanded3], 1);
                    if (ChannelsLast.Is(expanded1) && !ChannelsLast.Is(joined)) joined = ChannelsLast.From(joined);
                    if (joined.shape[1] == squeezeInput.shape[1] && joined.shape[2] == squeezeInput.shape[2]) joined.add_(squeezeInput);
                    return nn.functional.relu(joined, inplace: true);
                });
            }

            return x;
        }

        private Tensor CornerPool(string name, Tensor input, PoolDirection first, PoolDirection second)
        {
            var branch1 = Time("4 corner pool: branch 3x3 convs", () => Module($"{name}.p1_conv1").forward(input));
            var branch2 = Time("4 corner pool: branch 3x3 convs", () => Module($"{name}.p2_conv1").forward(input));
            var pooled = Time("4 corner pool: running maxima + add", () => DirectionalPool.Apply(branch1, first).add_(DirectionalPool.Apply(branch2, second)));
            var merged = Time("4 corner pool: p_conv1 3x3 + 1x1 shortcut", () =>
                Module($"{name}.p_conv1").forward(pooled).add_(Module($"{name}.conv1").forward(input)));
            return Time("4 corner pool: ReLU + conv2 3x3", () => Module($"{name}.conv2").forward(nn.functional.relu(merged, inplace: true)));
        }

        private nn.Module<Tensor, Tensor> Module(string name) => (nn.Module<Tensor, Tensor>)_modules[name];

        private Tensor Time(string group, Func<Tensor> step)
        {
            double cpu = CpuClock.ProcessMilliseconds();
            long started = Stopwatch.GetTimestamp();
            var result = step();
            double wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            cpu = CpuClock.ProcessMilliseconds() - cpu;
            if (!Groups.TryGetValue(group, out var entry)) Groups[group] = entry = new Group();
            entry.PassWall += wall;
            entry.PassCpu += cpu;
            entry.Calls++;
            return result;
        }
    }
}
