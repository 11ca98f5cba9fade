using System.Security.Cryptography;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Model.Inference;
using CornerNet.Service.Batching;
using CornerNet.Service.Configuration;
using static TorchSharp.torch;

namespace CornerNet.Service.Modeling;

/// <summary>A network with its weights on a device, and the detector that runs its family's test procedure.</summary>
public sealed class LoadedModel : IDisposable
{
    private LoadedModel(ArchitectureSpec spec, CornerNetNetwork network, IDetector detector, Device device,
        string weightsPath, string weightsSha256, long parameterCount)
    {
        Decoder = DecoderInUse.For(device.type);
        Spec = spec;
        Network = network;
        Detector = detector;
        Device = device;
        WeightsPath = weightsPath;
        WeightsSha256 = weightsSha256;
        ParameterCount = parameterCount;
    }

    public ArchitectureSpec Spec { get; }

    public CornerNetNetwork Network { get; }

    public IDetector Detector { get; }

    public Device Device { get; }

    /// <summary>The corner decoder this model's detections go through.</summary>
    public DecoderInUse Decoder { get; }

    public string WeightsPath { get; }

    public string WeightsSha256 { get; }

    public long ParameterCount { get; }

    public static LoadedModel Load(ModelOptions options, BatchingOptions batching, InferenceOptions inference, PipelineOverrides pipeline, string contentRoot)
    {
        var architecturePath = options.Architecture;
        ArchitectureSpec spec;
        if (ArchitecturePresets.TryGet(architecturePath, out var preset))
        {
            spec = preset;
        }
        else
        {
            architecturePath = Path.GetFullPath(architecturePath, contentRoot);
            RegularFile.Require(architecturePath, "Model:Architecture file");
            spec = ArchitectureSpec.Load(architecturePath);
        }

        var weightsPath = Path.GetFullPath(options.Weights, contentRoot);
        RegularFile.Require(weightsPath, "Model:Weights file");

        if (batching.InferenceThreads > 0)
        {
            set_num_threads(batching.InferenceThreads);
        }

        DetectorOptions detectorOptions;
        try
        {
            detectorOptions = pipeline.ApplyTo(DetectorOptions.ForModel(spec)).Validate();
        }
        catch (ArgumentException e)
        {
            throw new ModelLoadException($"Pipeline settings for {spec.Name}: {e.Message}");
        }

        var device = DeviceSelector.Select(options.Device);
        var network = ModelCheckpoint.Load(spec, weightsPath, device);
        try
        {
            // Counted before folding BatchNorm adds biases, so /model reports the checkpoint's parameters.
            long parameterCount = network.ParameterCount();
            network.PrepareForInference(inference.ToTuning());
            var detector = Detectors.Create(network, detectorOptions, device: device);
            return new LoadedModel(spec, network, detector, device, weightsPath, Sha256(weightsPath), parameterCount);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>One small batch through the whole pipeline, so the first request does not pay for lazy initialisation.</summary>
    public void WarmUp()
    {
        var pixels = new byte[64 * 64 * 3];
        new Random(0).NextBytes(pixels);
        Detector.Detect([new DecodedImage(64, 64, pixels)]);
    }

    /// <summary>Times batches of 1, 2, 4 ... <paramref name="maxBatchSize"/> images of the architecture's input size
    /// (random pixels: the time does not depend on them, except for a saccade model's zoom crops, which follow what
    /// its attention finds in them) and finds the largest batch worth running.</summary>
    public BatchSizeProfile MeasureBatchSizes(int maxBatchSize)
    {
        int height = Spec.InputSize[0], width = Spec.InputSize[1];
        var pixels = new byte[height * width * 3];
        new Random(0).NextBytes(pixels);
        var image = new DecodedImage(width, height, pixels);
        return BatchSizeProfile.Measure(maxBatchSize, size => Detector.Detect(Enumerable.Repeat(image, size).ToList()));
    }

    /// <summary>The SHA-256 of a file, lower-case hex (what GET /models/{name} and every response show).</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public void Dispose() => Network.Dispose();
}
