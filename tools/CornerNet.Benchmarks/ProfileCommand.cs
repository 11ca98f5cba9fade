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
/// <c>profile [--arch squeeze|hourglass104|FILE.json] [--weights FILE] [--precision fp32|bf16] [--threads N] [--iterations N]
/// [--warmup N] [--width W --height H]</c>: where a network's forward pass spends its time, for one image's canvas (with
/// its mirror, batch 2, when the family's test settings flip). The network's modules are run one group at a time in the
/// order of its forward pass (stem, residuals or fire modules' parts by resolution level, upsampling and merges, corner
/// pools' convolutions and running maxima, heads), each timed in wall and process-CPU milliseconds (median over the
/// iterations of each group's sum), with its convolutions' work (GFLOP) and rate, next to the whole forward pass timed as
/// the service runs it. Last, the convolution floor of the same run (<see cref="ConvolutionFloor"/>: hourglass-104's
/// commonest layer alone) and each group's CPU time above what its convolutions would cost at that rate. The walk
/// mirrors <see cref="CornerNetNetwork"/>'s forward pass for the hourglass and squeeze families; the "walk total" line
/// against the "network forward" line shows what the walk misses or adds.
/// </summary>
public static class ProfileCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = "A hourglass- or squeeze-family preset or architecture JSON file.", DefaultValueFactory = _ => "squeeze" };
        var weights = new Option<string?>("--weights") { Description = "Weights file (default: random weights)." };
        var precision = new Option<string>("--precision") { Description = "fp32 or bf16.", DefaultValueFactory = _ => "bf16" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: libtorch's choice)." };
        var iterations = new Option<int>("--iterations") { Description = "Timed passes.", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed passes first.", DefaultValueFactory = _ => 2 };
        var width = new Option<int>("--width") { Description = "Image width (the canvas is the detector's for it).", DefaultValueFactory = _ => BenchCommand.DefaultWidth };
        var height = new Option<int>("--height") { Description = "Image height.", DefaultValueFactory = _ => BenchCommand.DefaultHeight };
        var floor = new Option<int>("--floor-iterations") { Description = "Timed calls of the convolution floor's layer (0: not measured).", DefaultValueFactory = _ => 5 };
        var command = new Command("profile", "Time a network's forward pass by module group, against the convolution floor.")
        {
            arch, weights, precision, threads, iterations, warmup, width, height, floor,
        };
        command.SetAction(parse =>
        {
            try
            {
                var precisions = CommaSeparated.Precisions(parse.GetValue(precision)!, "--precision");
                var spec = ArchitectureSpec.Resolve(parse.GetValue(arch)!);
                if (spec.Family == NetworkFamily.Saccade) throw new ArgumentException($"profile walks hourglass- and squeeze-family networks only ({spec.Name} is {spec.Family}).");
                if (precisions.Count != 1) throw new ArgumentException("--precision takes one precision.");
                if (parse.GetValue(iterations) < 1 || parse.GetValue(warmup) < 0 || parse.GetValue(floor) < 0)
                {
                    throw new ArgumentException("--iterations must be at least 1, --warmup and --floor-iterations at least 0.");
                }

                if (parse.GetValue(threads) is { } count) torch.set_num_threads(count);
                Run(spec, parse.GetValue(weights), precisions[0], parse.GetValue(width), parse.GetValue(height),
                    parse.GetValue(iterations), parse.GetValue(warmup), Console.Out, parse.GetValue(floor));
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

    public static void Run(ArchitectureSpec spec, string? weightsPath, InferencePrecision precision, int width, int height, int iterations, int warmup,
        TextWriter output, int floorIterations = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        torch.random.manual_seed(1);
        using var network = new CornerNetNetwork(spec);
        if (weightsPath is not null)
        {
            using var stateDict = PyTorchCheckpointReader.Read(weightsPath);
            ModelWeights.Load(network, stateDict);
        }

        network.PrepareForInference(new InferenceTuning { Precision = precision });
        var geometry = CanvasGeometry.For(height, width, 1.0, spec.OutputStride);
        // The image and its mirror in one batch when the family's test settings flip (hourglass), as the detector runs it.
        int batch = DetectorOptions.ForModel(spec).Flip ? 2 : 1;
        using var input = randn(batch, 3, geometry.CanvasHeight, geometry.CanvasWidth);
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

        var floor = floorIterations > 0 ? ConvolutionFloor.Measure([precision], floorIterations)[0] : null;
        output.WriteLine($"profile: {spec.Name} ({spec.Family}), {network.Tuning}, canvas {geometry.CanvasWidth}x{geometry.CanvasHeight} for {width}x{height}, " +
                         $"batch {batch}{(batch == 2 ? " (image + mirror)" : "")}, {torch.get_num_threads()} threads, median of {iterations}; " +
                         $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine($"{"group",-50}{"calls",7}{"wall ms",10}{"cpu ms",10}{"wall %",8}{"GFLOP",9}{"GFLOP/s",9}{"GF/cpu-s",9}{"cpu ms over floor",18}");
        double walkWall = walk.Groups.Values.Sum(g => Median(g.Wall));
        double walkCpu = walk.Groups.Values.Sum(g => Median(g.Cpu));
        double totalFlops = walk.Groups.Values.Sum(g => g.Flops);
        // What a group's convolutions would cost in CPU time at the floor layer's rate; the rest is its time above it.
        double FloorCpuMs(double flops) => floor is null ? double.NaN : flops / 1e9 / floor.GflopsPerCpuSecond * 1000;
        foreach (var (name, group) in walk.Groups)
        {
            double wall = Median(group.Wall), cpu = Median(group.Cpu), gflop = group.Flops / 1e9;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-50}{group.Calls,7}{wall,10:F1}{cpu,10:F1}{100 * wall / walkWall,8:F1}{Gflop(gflop),9}{Rate(gflop, wall),9}{Rate(gflop, cpu),9}{Over(cpu - FloorCpuMs(group.Flops)),18}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"walk total (sum of group medians)",-50}{"",7}{walkWall,10:F1}{walkCpu,10:F1}{"",8}{Gflop(totalFlops / 1e9),9}{Rate(totalFlops / 1e9, walkWall),9}{Rate(totalFlops / 1e9, walkCpu),9}{Over(walkCpu - FloorCpuMs(totalFlops)),18}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"network forward (as served)",-50}{"",7}{Median(forwardWall),10:F1}{Median(forwardCpu),10:F1}"));
        if (floor is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"convolution floor, same run: 3x3 256->256 on {floor.Shape} channels-last, {floor.Precision}: {floor.ConvMs:F1} ms wall, {floor.ConvCpuMs:F1} ms CPU " +
                $"= {floor.Gflops:F0} GFLOP/s, {floor.GflopsPerCpuSecond:F0} GFLOP per CPU-second; this walk's {totalFlops / 1e9:F0} GFLOP at that rate: " +
                $"{totalFlops / 1e9 / floor.Gflops * 1000:F0} ms wall, {FloorCpuMs(totalFlops):F0} ms CPU"));
        }
    }

    private static string Gflop(double gflop) => gflop > 0 ? gflop.ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static string Rate(double gflop, double ms) => gflop > 0 && ms > 0 ? (gflop / (ms / 1000)).ToString("F0", CultureInfo.InvariantCulture) : "-";

    private static string Over(double ms) => double.IsNaN(ms) ? "-" : ms.ToString("F1", CultureInfo.InvariantCulture);

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

        /// <summary>The group's convolution work in one pass (multiply-add pairs x 2).</summary>
        public double Flops { get; set; }
    }

    /// <summary>The network's forward pass, module group by module group (see the class summary). Module names are
    /// each family's state-dict names (<see cref="CornerNetNetwork"/>).</summary>
    private sealed class NetworkWalk(CornerNetNetwork network, InferencePrecision precision)
    {
        private readonly Dictionary<string, nn.Module> _modules = network.named_modules().ToDictionary(m => m.name, m => m.module);
        private readonly bool _squeeze = network.Spec.Family == NetworkFamily.Squeeze;
        private long _levelZeroHeight;

        public SortedDictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);

        public void Run(Tensor images, bool record)
        {
            foreach (var group in Groups.Values) group.PassWall = group.PassCpu = group.Flops = group.Calls = 0;
            var stacks = network.Spec.Stacks;
            var x = Time("0 input to bf16 + channels-last", () =>
            {
                var converted = precision == InferencePrecision.Bf16 ? images.to(ScalarType.BFloat16) : images.alias();
                return ChannelsLast.From(converted);
            });
            x = _squeeze ? SqueezeStem(x) : HourglassStem(x);
            _levelZeroHeight = x.shape[2];
            var (hourglasses, cnvs, inters, intersSkip, cnvsSkip) = _squeeze
                ? ("hg.hgs", "hg.cnvs", "hg.inters", "hg.inters_", "hg.cnvs_")
                : ("kps", "cnvs", "inters", "inters_", "cnvs_");
            for (int stack = 0; stack < stacks; stack++)
            {
                var hourglassOutput = _squeeze ? SqueezeHourglass($"{hourglasses}.{stack}", x, 0) : Hourglass($"{hourglasses}.{stack}", x);
                var features = Forward("3 cnvs (3x3 conv + ReLU)", $"{cnvs}.{stack}", hourglassOutput);
                if (stack == stacks - 1)
                {
                    var (topLeftPool, bottomRightPool, offsets) = _squeeze ? ("tl_modules", "br_modules", "offs") : ("tl_cnvs", "br_cnvs", "regrs");
                    var topLeft = CornerPool($"{topLeftPool}.{stack}", features, PoolDirection.Top, PoolDirection.Left);
                    var bottomRight = CornerPool($"{bottomRightPool}.{stack}", features, PoolDirection.Bottom, PoolDirection.Right);
                    foreach (var (head, source) in new[] { ("heats", topLeft), ("tags", topLeft), (offsets, topLeft), ("heats", bottomRight), ("tags", bottomRight), (offsets, bottomRight) })
                    {
                        var prefix = ReferenceEquals(source, topLeft) ? "tl" : "br";
                        var kernel = _squeeze ? 1 : 3;
                        var hidden = Forward($"5 heads: {kernel}x{kernel} conv + ReLU", $"{prefix}_{head}.{stack}.0", source);
                        var last = (Conv2dLayer)Module($"{prefix}_{head}.{stack}.1");
                        Time("5 heads: output 1x1 conv (fp32) + to fp32", () =>
                            last.forward(hidden.dtype == last.Weight.dtype ? hidden : hidden.to(last.Weight.dtype)).to(ScalarType.Float32).contiguous(),
                            ConvFlops(last, hidden, hidden));
                    }
                }
                else
                {
                    var inter = x;
                    var merged = Time("3 inters: 1x1 convs + add + ReLU", () =>
                    {
                        var sum = Module($"{intersSkip}.{stack}").forward(inter).add_(Module($"{cnvsSkip}.{stack}").forward(features));
                        return nn.functional.relu(sum, inplace: true);
                    }, ConvFlops(_modules[$"{intersSkip}.{stack}"], inter, inter) + ConvFlops(_modules[$"{cnvsSkip}.{stack}"], inter, inter));
                    x = _squeeze
                        ? Forward("3 inters: residual", $"{inters}.{stack}", merged)
                        : Residual($"{inters}.{stack}", merged);
                }
            }

            if (!record) return;
            foreach (var group in Groups.Values)
            {
                group.Wall.Add(group.PassWall);
                group.Cpu.Add(group.PassCpu);
            }
        }

        private Tensor SqueezeStem(Tensor x)
        {
            x = Forward("1 stem: conv 7x7/2", "hg.pre.0", x);
            x = Forward("1 stem: residual /2 (1)", "hg.pre.1", x);
            return Forward("1 stem: residual /2 (2)", "hg.pre.2", x);
        }

        private Tensor HourglassStem(Tensor x)
        {
            x = Forward("1 stem: conv 7x7/2 + ReLU", "pre.0", x);
            return Forward("1 stem: residual /2", "pre.1", x);
        }

        /// <summary>CornerNet's hourglass level: residual chains, nearest-neighbour upsampling, merge.</summary>
        private Tensor Hourglass(string name, Tensor input)
        {
            var skip = ResidualChain($"{name}.up1", input);
            var low = ResidualChain($"{name}.low1", input);
            var below = _modules[$"{name}.low2"] is HourglassModule ? Hourglass($"{name}.low2", low) : ResidualChain($"{name}.low2", low);
            var back = ResidualChain($"{name}.low3", below);
            return Time("2 hourglass merges (upsample x2 + add)", () => HourglassModule.Merge(skip, back));
        }

        private Tensor ResidualChain(string name, Tensor input)
        {
            var x = input;
            foreach (var (child, _) in _modules[name].named_children()) x = Residual($"{name}.{child}", x);
            return x;
        }

        /// <summary>A residual's parts, as <see cref="CornerNet.Model.Architecture.Residual"/> runs them with BatchNorm folded: conv1, ReLU,
        /// the projection (if any), conv2, add, ReLU; its convolutions grouped by the resolution level of their output.</summary>
        private Tensor Residual(string name, Tensor input)
        {
            var conv1 = (Conv2dLayer)Module($"{name}.conv1");
            var conv2 = (Conv2dLayer)Module($"{name}.conv2");
            var (y, wall, cpu) = Measure(() => conv1.forward(input));
            Add($"2 residual 3x3 convs, {LevelOf(y)}", wall, cpu, ConvFlops(conv1, input, y));
            y = Time("2 residual ReLU after conv1", () => nn.functional.relu(y, inplace: true));
            var skip = _modules.ContainsKey($"{name}.skip")
                ? Time("2 residual 1x1 projections", () => Module($"{name}.skip").forward(input), ConvFlops(_modules[$"{name}.skip"], input, y))
                : input;
            (var z, wall, cpu) = Measure(() => conv2.forward(y));
            Add($"2 residual 3x3 convs, {LevelOf(z)}", wall, cpu, ConvFlops(conv2, y, z));
            return Time("2 residual add + ReLU", () => nn.functional.relu(z.add_(skip), inplace: true));
        }

        /// <summary>"level 0 (128x192)": the resolution of <paramref name="output"/>, level 0 being the stem's output.</summary>
        private string LevelOf(Tensor output)
        {
            long height = output.shape[2];
            int level = _levelZeroHeight == 0 ? 0 : (int)Math.Round(Math.Log2((double)_levelZeroHeight / height));
            return $"level {level} ({height}x{output.shape[3]})";
        }

        /// <summary>CornerNet-Squeeze's hourglass level: fire chains, a transposed convolution, crop, merge.</summary>
        private Tensor SqueezeHourglass(string name, Tensor input, int level)
        {
            var skip = FireChain($"{name}.up1", input);
            var low = FireChain($"{name}.low1", input);
            var below = _modules[$"{name}.low2"] is SqueezeHourglassModule ? SqueezeHourglass($"{name}.low2", low, level + 1) : FireChain($"{name}.low2", low);
            var back = FireChain($"{name}.low3", below);
            var up = Forward($"2 transposed conv 4x4/2, level {level} ({input.shape[1]} ch)", $"{name}.up2", back);
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
                var squeezed = Forward("2 fire: squeeze 1x1", $"{fire}.conv1", squeezeInput);
                var expanded1 = Forward("2 fire: expand 1x1", $"{fire}.conv_1x1", squeezed);
                var expanded3 = Forward("2 fire: expand depthwise 3x3", $"{fire}.conv_3x3", squeezed);
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
            var branch1 = Forward("4 corner pool: branch 3x3 convs + ReLU", $"{name}.p1_conv1", input);
            var branch2 = Forward("4 corner pool: branch 3x3 convs + ReLU", $"{name}.p2_conv1", input);
            var pooled = Time("4 corner pool: running maxima + add", () => DirectionalPool.Apply(branch1, first).add_(DirectionalPool.Apply(branch2, second)));
            var merged = Time("4 corner pool: p_conv1 3x3 + 1x1 shortcut + add", () =>
                Module($"{name}.p_conv1").forward(pooled).add_(Module($"{name}.conv1").forward(input)),
                ConvFlops(_modules[$"{name}.p_conv1"], pooled, input) + ConvFlops(_modules[$"{name}.conv1"], input, input));
            var relu = Time("4 corner pool: ReLU", () => nn.functional.relu(merged, inplace: true));
            return Forward("4 corner pool: conv2 3x3 + ReLU", $"{name}.conv2", relu);
        }

        private nn.Module<Tensor, Tensor> Module(string name) => (nn.Module<Tensor, Tensor>)_modules[name];

        /// <summary>Module <paramref name="name"/>'s forward pass, timed under <paramref name="group"/> with its convolutions' work.</summary>
        private Tensor Forward(string group, string name, Tensor input)
        {
            var module = Module(name);
            var (output, wall, cpu) = Measure(() => module.forward(input));
            Add(group, wall, cpu, ConvFlops(module, input, output));
            return output;
        }

        /// <summary>Multiply-add pairs x 2 of <paramref name="module"/>'s convolutions: a transposed convolution's by its
        /// input's pixels; any other module's by its output's pixels, which every convolution in a residual, a conv-BN(-ReLU)
        /// or a fire module's part produces at the same resolution.</summary>
        private static double ConvFlops(nn.Module module, Tensor input, Tensor output)
        {
            if (module is TransposedConv2dLayer transposed) return 2.0 * input.shape[0] * input.shape[2] * input.shape[3] * transposed.Weight.numel();
            double macsPerPixel = module.modules().Prepend(module).Distinct().OfType<Conv2dLayer>().Sum(c => (double)c.Weight.numel());
            return 2.0 * output.shape[0] * output.shape[2] * output.shape[3] * macsPerPixel;
        }

        private Tensor Time(string group, Func<Tensor> step, double flops = 0)
        {
            var (result, wall, cpu) = Measure(step);
            Add(group, wall, cpu, flops);
            return result;
        }

        private static (Tensor Result, double Wall, double Cpu) Measure(Func<Tensor> step)
        {
            double cpu = CpuClock.ProcessMilliseconds();
            long started = Stopwatch.GetTimestamp();
            var result = step();
            double wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return (result, wall, CpuClock.ProcessMilliseconds() - cpu);
        }

        private void Add(string group, double wall, double cpu, double flops)
        {
            if (!Groups.TryGetValue(group, out var entry)) Groups[group] = entry = new Group();
            entry.PassWall += wall;
            entry.PassCpu += cpu;
            entry.Flops += flops;
            entry.Calls++;
        }
    }
}
