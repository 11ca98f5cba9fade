using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using CornerNet.Model.Inference;
using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Tools.Common;

namespace CornerNet.LoadGenerator;

/// <summary>Runs the HTTP rows (starting the service per batching mode, or against --url), then the in-process reference.</summary>
public static class LoadRunner
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    public static async Task<LoadReport> RunAsync(LoadSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var image = settings.ImagePath is not null ? LoadImage.FromFile(settings.ImagePath)
            : settings.ImageSize is { } size ? LoadImage.GeneratedJpeg(size.Width, size.Height)
            : LoadImage.HeldOutSynthetic();
        var budget = new LoadBudget(settings.Warmup, settings.Duration, settings.Requests, settings.StartupWarmup);
        var loadBefore = MachineInfo.LoadAverage();
        var notes = new List<string>();
        using var randomWeights = settings.RandomWeights ? RandomWeights.Write(settings) : null;
        if (randomWeights is not null)
        {
            // Both the started service and the in-process reference load the written files.
            settings = settings with { Overrides = randomWeights.Overrides };
            notes.Add($"Random weights of {randomWeights.Spec.Name} (seed 1, {randomWeights.WeightsPath}): timings only, detections mean nothing.");
        }

        var admission = ServiceSettings.Key(BatchingOptions.Section, nameof(BatchingOptions.MaxQueueWaitMs));
        if (settings.Url is null && !settings.Overrides.ContainsKey(admission))
        {
            // The rows measure what the service can do. With admission (a 503 for every image expected to wait longer than
            // MaxQueueWaitMs, 200 ms by default) refused clients sit out their Retry-After (at least a second) while the model
            // could have served them, so a saturation row would measure admission instead: the started service admits every
            // request that can finish within its request timeout, unless --set gives Batching:MaxQueueWaitMs.
            var timeout = ServiceSettings.For(settings.ContentRoot, settings.Overrides, settings.Threads, maxBatchSize: null).Batching.RequestTimeoutSeconds;
            var admitAll = (timeout * 1000 - 1).ToString(CultureInfo.InvariantCulture);
            settings = settings with { Overrides = new Dictionary<string, string>(settings.Overrides, StringComparer.OrdinalIgnoreCase) { [admission] = admitAll } };
            notes.Add($"The started service admits every request that can finish in time ({admission}={admitAll}, just under Batching:RequestTimeoutSeconds), " +
                      $"so that closed-loop clients queue rather than being refused; give --set {admission}=... to load it with admission.");
        }

        var http = new List<HttpLoadResult>();
        var peaks = new List<ServicePeakMemory>();

        // The in-process reference runs with the settings of batching on (or of the running service).
        ServiceSettings reference;
        string target;
        if (settings.Url is null)
        {
            target = settings.ServiceDll;
            reference = ServiceSettings.For(settings.ContentRoot, settings.Overrides, settings.Threads, maxBatchSize: null);
            foreach (var mode in settings.Modes)
            {
                var modeSettings = ServiceSettings.For(settings.ContentRoot, settings.Overrides, settings.Threads, mode == BatchingMode.Off ? 1 : null);
                var label = mode == BatchingMode.On ? "on" : "off";
                progress.WriteLine($"starting the service, batching {label} (Batching:MaxBatchSize={modeSettings.Batching.MaxBatchSize}, Batching:InferenceThreads={settings.Threads})");
                await using var service = await ServiceChildProcess.StartAsync(
                    new ServiceLaunch(settings.ServiceDll, settings.ContentRoot) { Settings = modeSettings.Overrides, ReadyTimeout = ReadyTimeout, KeptLines = 200 },
                    cancellationToken);
                using var client = ClosedLoopLoad.CreateClient(service.Address);
                await RunRowsAsync(client, image, settings.Concurrency, budget, label, modeSettings.Batching.MaxBatchSize, service.Process.Id, http, progress, cancellationToken);
                peaks.Add(new ServicePeakMemory(label, ProcessMemory.PeakResidentMegabytes(service.Process.Id)));
            }
        }
        else
        {
            target = settings.Url.ToString();
            using var client = ClosedLoopLoad.CreateClient(settings.Url);
            var model = await client.GetFromJsonAsync<JsonElement>("/model", cancellationToken);
            var batching = model.GetProperty("batching");
            var maxBatchSize = batching.GetProperty("maxBatchSize").GetInt32();
            var threads = batching.GetProperty("inferenceThreads").GetInt32();
            reference = ServiceSettings.For(settings.ContentRoot, settings.Overrides, threads, maxBatchSize);
            var servedSha = model.GetProperty("weightsSha256").GetString();
            var localWeights = Path.GetFullPath(reference.Model.Weights, settings.ContentRoot);
            if (!File.Exists(localWeights) || Sha256(localWeights) != servedSha)
            {
                notes.Add($"The in-process reference loads {localWeights}, which is not the model the service serves (SHA-256 {servedSha}); give --set Model:Weights=... and Model:Architecture=...");
            }

            if (threads == 0) notes.Add("The service runs with Batching:InferenceThreads=0 (libtorch's default); the in-process reference does too.");
            await RunRowsAsync(client, image, settings.Concurrency, budget, "as configured", maxBatchSize, null, http, progress, cancellationToken);
        }

        var inProcess = new List<InProcessResult>();
        var modelDescription = $"{reference.Model.Weights} ({reference.Model.Architecture})";
        var torchThreads = reference.Batching.InferenceThreads;
        if (!settings.SkipInProcess)
        {
            // After the HTTP rows, with the service stopped: the two never compete for the cores.
            progress.WriteLine($"in-process reference: loading {modelDescription} as the service does");
            using var loaded = LoadedModel.Load(reference.Model, reference.Batching, reference.Inference, reference.Pipeline, settings.ContentRoot);
            loaded.WarmUp();
            torchThreads = TorchSharp.torch.get_num_threads();
            var loader = new ImageLoader();
            var threshold = reference.Detection.ScoreThreshold;
            var batchSizes = new List<int> { reference.Batching.MaxBatchSize };
            if (reference.Batching.MaxBatchSize > 1 && (settings.Url is not null || settings.Modes.Contains(BatchingMode.Off))) batchSizes.Add(1);
            foreach (var batchSize in batchSizes)
            {
                var row = InProcessReference.Run(loaded.Detector, loader, image, batchSize, budget, settings.InProcessWarmupCalls, threshold);
                progress.WriteLine($"  in-process batch {batchSize}: {row.ThroughputPerSecond.ToString("F2", CultureInfo.InvariantCulture)} img/s");
                inProcess.Add(row);
            }
        }

        var saturation = settings.Concurrency.Max();
        var lowest = settings.Concurrency.Min();
        double? Throughput(string mode, int concurrency) => http.FirstOrDefault(r => r.Mode == mode && r.Concurrency == concurrency)?.ThroughputPerSecond;
        double? InProcess(int batchSize) => inProcess.FirstOrDefault(r => r.BatchSize == batchSize)?.ThroughputPerSecond;
        var batchingOnMode = settings.Url is null ? "on" : "as configured";
        return new LoadReport
        {
            Date = DateTimeOffset.UtcNow,
            Machine = new MachineInfo(Environment.ProcessorCount, MachineInfo.Cpu(), System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                loadBefore, MachineInfo.LoadAverage()),
            TorchThreads = torchThreads,
            Target = target,
            Model = modelDescription,
            Image = image.Description,
            ImageWidth = image.Width,
            ImageHeight = image.Height,
            ImageBytes = image.Bytes.Length,
            Budget = budget.Describe(),
            Http = http,
            ServicePeakMemory = peaks,
            InProcess = inProcess,
            SaturationConcurrency = saturation,
            Overhead = 1 - Throughput(batchingOnMode, saturation) / InProcess(reference.Batching.MaxBatchSize),
            OverheadBatchingOff = 1 - Throughput("off", saturation) / InProcess(1),
            ScalingBatchingOn = saturation > lowest ? Throughput(batchingOnMode, saturation) / Throughput(batchingOnMode, lowest) : null,
            ScalingBatchingOff = saturation > lowest ? Throughput("off", saturation) / Throughput("off", lowest) : null,
            Notes = notes,
        };
    }

    private static async Task RunRowsAsync(HttpClient client, LoadImage image, IReadOnlyList<int> concurrencies, LoadBudget budget, string mode,
        int maxBatchSize, int? serviceProcessId, List<HttpLoadResult> results, TextWriter progress, CancellationToken cancellationToken)
    {
        // A fresh service spends seconds of CPU compiling its hot paths (.NET's tiered JIT; ImageSharp alone is a lot of
        // code): load it, unmeasured, before the first row, as a long-running service would have been.
        if (budget.StartupWarmup > TimeSpan.Zero)
        {
            var warmup = await ClosedLoopLoad.RunAsync(client, image, concurrencies.Max(), new LoadBudget(TimeSpan.Zero, budget.StartupWarmup, null, TimeSpan.Zero),
                mode, maxBatchSize, null, cancellationToken);
            if (warmup.Errors > 0) progress.WriteLine($"  warm-up: {warmup.Errors} errors ({string.Join(", ", warmup.ErrorKinds.Keys)})");
        }

        foreach (var concurrency in concurrencies)
        {
            var row = await ClosedLoopLoad.RunAsync(client, image, concurrency, budget, mode, maxBatchSize, serviceProcessId, cancellationToken);
            progress.WriteLine($"  batching {mode}, concurrency {concurrency}: {row.Requests} requests, {row.Errors} errors, {row.ThroughputPerSecond.ToString("F2", CultureInfo.InvariantCulture)} img/s");
            results.Add(row);
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
