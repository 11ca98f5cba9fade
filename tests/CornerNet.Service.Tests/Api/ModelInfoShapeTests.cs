using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Model.Inference;
using CornerNet.Service.Api;
using CornerNet.Service.Modeling;
using TorchSharp;

namespace CornerNet.Service.Tests.Api;

/// <summary>GET /model's public shape: property names and JSON kinds are pinned, values are not.</summary>
public sealed class ModelInfoShapeTests(ReadyServiceHost host) : IClassFixture<ReadyServiceHost>
{
    /// <summary>Every property path of GET /model and its JSON kind. Changing a line here changes the public API.</summary>
    private static readonly string[] Shape =
    [
        "architecture: String",
        "batching: Object",
        "batching.inferenceThreads: Number",
        "batching.maxBatchSize: Number",
        "batching.maxDelayMs: Number",
        "batching.queueCapacity: Number",
        "batching.requestTimeoutSeconds: Number",
        "batching.shutdownDrainSeconds: Number",
        "channelOrder: String",
        "classes: Array of String",
        "decoder: Object",
        "decoder.managedSelfCheckPassed: Boolean",
        "decoder.name: String",
        "decoder.reason: String",
        "decoder.slowFallback: Boolean",
        "device: String",
        "family: String",
        "inferenceThreadsInUse: Number",
        "inference: Object",
        "inference.channelsLast: Boolean",
        "inference.foldBatchNorm: Boolean",
        "inference.precision: String",
        "inference.reuseFreedMemory: Boolean",
        "isDefault: Boolean",
        "limits: Object",
        "limits.imageFormats: Array of String",
        "limits.maxBatchImages: Number",
        "limits.maxPixels: Number",
        "limits.maxRequestBytes: Number",
        "limits.maxSide: Number",
        "name: String",
        "parameterCount: Number",
        "pipeline: Object",
        "pipeline.aeThreshold: Number",
        "pipeline.flip: Boolean",
        "pipeline.maxBatchImages: Number",
        "pipeline.maxLongestSide: Number",
        "pipeline.maxPerImage: Number",
        "pipeline.mergeBoxes: Boolean",
        "pipeline.nmsKernel: Number",
        "pipeline.noBorder: Boolean",
        "pipeline.nmsKind: Number",
        "pipeline.nmsThreshold: Number",
        "pipeline.normalizeInFloat32: Boolean",
        "pipeline.numDets: Number",
        "pipeline.scoreFloor: Number",
        "pipeline.sigma: Number",
        "pipeline.testScales: Array of Number",
        "pipeline.topK: Number",
        "pipeline.weightExp: Number",
        "reloads: Number",
        "weightsFile: String",
        "weightsSha256: String",
    ];

    [Fact]
    public async Task The_model_endpoint_keeps_its_property_names_and_kinds()
    {
        var info = await host.Client.GetFromJsonAsync<JsonElement>("/model");
        var actual = Paths(info, prefix: "").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Shape.Order(StringComparer.Ordinal), actual);
    }

    [Fact]
    public async Task The_model_endpoint_shows_the_decoder_the_metrics_export()
    {
        var info = await host.Client.GetFromJsonAsync<JsonElement>("/model");
        var decoder = info.GetProperty("decoder");
        var expected = DecoderInUse.For(DeviceType.CPU);
        Assert.Equal(expected.Name, decoder.GetProperty("name").GetString());
        Assert.Equal(CornerDecoderSelection.ManagedSelfCheckPassed, decoder.GetProperty("managedSelfCheckPassed").GetBoolean());
        Assert.False(decoder.GetProperty("slowFallback").GetBoolean(), decoder.GetProperty("reason").GetString());

        var metrics = await MetricsSnapshot.ReadAsync(host.Client);
        var model = info.GetProperty("name").GetString();
        Assert.Equal(1, metrics[$"cornernet_decoder_info{{model=\"{model}\",decoder=\"{expected.Name}\",self_check=\"passed\"}}"]);
    }

    [Fact]
    public void A_failed_self_check_on_the_CPU_is_shown_as_the_slow_fallback()
    {
        var dto = ModelInfoMapper.ToDto(new DecoderInUse(CornerDecoderKind.TorchOps, DeviceType.CPU, ManagedSelfCheckPassed: false));
        Assert.Equal("torch", dto.Name);
        Assert.True(dto.SlowFallback);
        Assert.False(dto.ManagedSelfCheckPassed);
        Assert.Contains("failed the managed decoder's self-check", dto.Reason);

        var cuda = ModelInfoMapper.ToDto(new DecoderInUse(CornerDecoderKind.TorchOps, DeviceType.CUDA, ManagedSelfCheckPassed: true));
        Assert.Equal("torch", cuda.Name);
        Assert.False(cuda.SlowFallback);
    }

    private static IEnumerable<string> Paths(JsonElement element, string prefix)
    {
        foreach (var property in element.EnumerateObject())
        {
            var path = prefix + property.Name;
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Array)
            {
                var kinds = value.EnumerateArray().Select(Kind).Distinct().ToArray();
                yield return $"{path}: Array of {string.Join("|", kinds)}";
            }
            else
            {
                yield return $"{path}: {Kind(value)}";
            }

            if (value.ValueKind == JsonValueKind.Object)
            {
                foreach (var nested in Paths(value, path + ".")) yield return nested;
            }
        }
    }

    private static string Kind(JsonElement value) =>
        value.ValueKind is JsonValueKind.True or JsonValueKind.False ? "Boolean" : value.ValueKind.ToString();
}
