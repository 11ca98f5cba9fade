using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Service.Modeling;
using CornerNet.Tools.Common;
using TorchSharp;

namespace CornerNet.Service.Tests.Hosting;

/// <summary>The real service process, started the way an operator starts it.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class StartupTests
{
    private static async Task<(int ExitCode, string Output)> RunServiceAsync(IDictionary<string, string> environment)
    {
        var (exitCode, output, error) = await ChildProcess.RunDotnetAsync(
            ServiceProcess.ServiceDll, ["--urls", "http://127.0.0.1:0"], TimeSpan.FromSeconds(60),
            new ChildProcessOptions { WorkingDirectory = RepositoryPaths.Root, Environment = environment.AsReadOnly() });
        return (exitCode, output + error);
    }

    [Theory]
    [InlineData("Model__Weights", "/nonexistent/weights.pth", "does not exist")]
    [InlineData("Model__Architecture", "/nonexistent/arch.json", "does not exist")]
    [InlineData("Model__Weights", "tests/fixtures/images/cmyk.jpg", "cmyk.jpg")]
    [InlineData("Model__Weights", "tests/fixtures/images", "is a directory, not a regular file")]
    [InlineData("Model__Weights", "/dev/zero", "is a character device, not a regular file")]
    [InlineData("Model__Device", "cuda:3", "CUDA")]
    public async Task A_model_that_cannot_be_loaded_stops_start_up_with_one_clear_line(string key, string value, string expected)
    {
        var (exitCode, output) = await RunServiceAsync(new Dictionary<string, string>
        {
            ["Model__Architecture"] = RepositoryPaths.Fixture("network", "fixture_arch.json"),
            ["Model__Weights"] = RepositoryPaths.Fixture("network", "fixture_zip.pth"),
            [key] = value,
        });

        Assert.NotEqual(0, exitCode);
        var failures = output.Split('\n').Where(l => l.Contains("Cannot load the model")).ToList();
        Assert.Single(failures);
        Assert.Contains(expected, failures[0]);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("FFD8FF", output); // cmyk.jpg's first bytes: no file content in logs
    }

    [Fact]
    public async Task A_fifo_as_the_weights_path_stops_start_up_at_once_instead_of_hanging()
    {
        var folder = Directory.CreateTempSubdirectory("cornernet-fifo-weights-");
        try
        {
            var fifo = NamedPipeFile.Create(folder.FullName, "weights.pth");

            // Before, opening the FIFO blocked start-up forever; RunServiceAsync gives up (and fails) after 60 s.
            var (exitCode, output) = await RunServiceAsync(new Dictionary<string, string>
            {
                ["Model__Architecture"] = RepositoryPaths.Fixture("network", "fixture_arch.json"),
                ["Model__Weights"] = fifo,
            });

            Assert.NotEqual(0, exitCode);
            var failures = output.Split('\n').Where(l => l.Contains("Cannot load the model", StringComparison.Ordinal)).ToList();
            Assert.Single(failures);
            Assert.Contains($"Model:Weights file '{fifo}' is a FIFO (named pipe), not a regular file.", failures[0], StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Weights_holding_a_nan_stop_start_up_instead_of_failing_every_request()
    {
        var folder = Directory.CreateTempSubdirectory("cornernet-nan-weights-");
        try
        {
            var weights = Path.Combine(folder.FullName, "diverged.pth");
            using (var network = new CornerNetNetwork(ArchitecturePresets.Tiny))
            {
                using var noGrad = torch.no_grad();
                foreach (var (_, value) in ModelWeights.Entries(network).Where(e => e.Value.is_floating_point()).Take(1))
                {
                    value.fill_(float.NaN);
                }

                ModelCheckpoint.Save(network, weights);
            }

            var (exitCode, output) = await RunServiceAsync(new Dictionary<string, string>
            {
                ["Model__Architecture"] = Path.ChangeExtension(weights, ".json"),
                ["Model__Weights"] = weights,
            });

            Assert.NotEqual(0, exitCode);
            var failures = output.Split('\n').Where(l => l.Contains("Cannot load the model", StringComparison.Ordinal)).ToList();
            Assert.Single(failures);
            Assert.Contains("non-finite", failures[0], StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("Batching__MaxBatchSize", "0", "MaxBatchSize")]
    [InlineData("Inference__Precision", "fp16", "Inference:Precision must be fp32 or bf16")]
    [InlineData("Inference__ChannelsLast", "sometimes", "Inference:ChannelsLast")]
    [InlineData("Pipeline__TopK", "0", "Pipeline:TopK must be at least 1")]
    [InlineData("Pipeline__NmsKernel", "2", "Pipeline:NmsKernel must be a positive odd number")]
    [InlineData("Pipeline__NmsKind", "Fuzzy", "Pipeline:NmsKind")]
    [InlineData("Pipeline__TestScales__0", "9", "Pipeline:TestScales must each be in (0, 8]")]
    [InlineData("Limits__MaxRequestBytes", "abc", "Limits:MaxRequestBytes")]
    [InlineData("Limits__MaxRequestBytes", "10", "MaxRequestBytes")]
    [InlineData("Limits__ImageFormats__0", "heic", "Limits:ImageFormats: 'heic'")]
    [InlineData("Batching__ShutdownDrainSeconds", "abc", "Batching:ShutdownDrainSeconds")]
    [InlineData("Batching__ShutdownDrainSeconds", "-1", "ShutdownDrainSeconds")]
    [InlineData("ServiceLogging__Format", "xml", "ServiceLogging:Format must be text or json")]
    [InlineData("ReverseProxy__KnownProxies__0", "proxy.local", "ReverseProxy:KnownProxies: 'proxy.local'")]
    [InlineData("ApiKeys__Enabled", "true", "ApiKeys:Enabled is true but no keys are configured")]
    [InlineData("ApiKeys__Keys__0__Sha256", "my-secret-key", "Sha256 must be 64 hexadecimal digits")]
    [InlineData("ApiKeys__Keys__0__Scopes__0", "everything", "scope 'everything' is not one of detect, admin")]
    [InlineData("ApiKeys__KeysFile", "/nonexistent/keys.json", "ApiKeys:KeysFile: '/nonexistent/keys.json' does not exist")]
    [InlineData("RateLimits__Burst", "0", "RateLimits:Burst must be between 1")]
    [InlineData("Tracing__OtlpEndpoint", "collector:4317", "Tracing:OtlpEndpoint: 'collector:4317' is not an http or https address")]
    [InlineData("Tracing__OtlpProtocol", "thrift", "Tracing:OtlpProtocol must be grpc or http/protobuf")]
    [InlineData("Detection__DefaultModel", "nope", "Detection:DefaultModel 'nope' is not a configured model (configured: fixture_arch)")]
    [InlineData("Models__fast__Weights", "fast.pth", "Models:fast: The Architecture field is required.")]
    public async Task Invalid_configuration_is_refused_at_start_up(string key, string value, string expected)
    {
        var (exitCode, output) = await RunServiceAsync(new Dictionary<string, string>
        {
            ["Model__Architecture"] = RepositoryPaths.Fixture("network", "fixture_arch.json"),
            ["Model__Weights"] = RepositoryPaths.Fixture("network", "fixture_zip.pth"),
            [key] = value,
        });

        Assert.NotEqual(0, exitCode);
        Assert.Single(output.Split('\n'), l => l.Contains("Invalid configuration") && l.Contains(expected));
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task The_decoder_in_use_is_logged_when_the_model_is_ready()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string> { ["ServiceLogging__Format"] = "text" });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? ready;
        while ((ready = service.Process.Lines.FirstOrDefault(l => l.Contains("Model fixture ready on"))) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.NotNull(ready);
        var expected = DecoderInUse.For(DeviceType.CPU);
        Assert.Contains($"{expected.Name} decoder", ready);
        // The slow fallback adds a warning naming its reason.
        Assert.Equal(expected.IsSlowFallback, service.Process.Lines.Any(l => l.Contains("WRN") && l.Contains("Corner decoder: torch")));
    }
}
