using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace CornerNet.Service.Tests.Deployment;

/// <summary>The compose files, read as YAML (no Docker engine runs here), and checked by Debian's docker-compose.</summary>
public sealed class ComposeFileTests
{
    private static readonly string Docker = Path.Combine(RepositoryPaths.Root, "docker");

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Docker, file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static bool Has(YamlMappingNode node, string key) => node.Children.ContainsKey(new YamlScalarNode(key));

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value!;

    [Fact]
    public void Only_the_proxy_publishes_a_port_and_the_detector_scales()
    {
        var services = Map(Load("docker-compose.yml"), "services");
        var detector = Map(services, "detector");
        var proxy = Map(services, "proxy");

        Assert.False(Has(detector, "ports"), "detector must not publish ports: replicas are reached through the proxy");
        Assert.False(Has(detector, "container_name"), "a fixed container name prevents --scale");
        Assert.Equal(["8080:80"], ((YamlSequenceNode)proxy.Children[new YamlScalarNode("ports")]).Select(Scalar));
        var dependsOn = Map(Map(proxy, "depends_on"), "detector");
        Assert.Equal("service_healthy", Scalar(dependsOn.Children[new YamlScalarNode("condition")]));
    }

    [Fact]
    public void The_detector_is_health_checked_on_readiness_and_trusts_only_the_proxy_network()
    {
        var compose = Load("docker-compose.yml");
        var detector = Map(Map(compose, "services"), "detector");
        var test = ((YamlSequenceNode)Map(detector, "healthcheck").Children[new YamlScalarNode("test")]).Select(Scalar).ToList();
        Assert.Contains("http://localhost:8080/health/ready", test);

        var trusted = Scalar(Map(detector, "environment").Children[new YamlScalarNode("ReverseProxy__KnownNetworks__0")]);
        var subnet = Scalar(((YamlMappingNode)((YamlSequenceNode)Map(Map(Map(compose, "networks"), "backend"), "ipam")
            .Children[new YamlScalarNode("config")])[0]).Children[new YamlScalarNode("subnet")]);
        Assert.Equal(subnet, trusted);
    }

    [Fact]
    public void The_trainer_runs_only_in_its_profile_and_the_gpu_override_reserves_a_device()
    {
        var trainer = Map(Map(Load("docker-compose.yml"), "services"), "trainer");
        Assert.Equal(["trainer"], ((YamlSequenceNode)trainer.Children[new YamlScalarNode("profiles")]).Select(Scalar));
        Assert.Equal("trainer", Scalar(Map(trainer, "build").Children[new YamlScalarNode("target")]));

        var gpu = Map(Map(Load("docker-compose.gpu.yml"), "services"), "detector");
        Assert.Equal("cuda", Scalar(Map(Map(gpu, "build"), "args").Children[new YamlScalarNode("TORCH_BACKEND")]));
        var device = (YamlMappingNode)((YamlSequenceNode)Map(Map(Map(gpu, "deploy"), "resources"), "reservations")
            .Children[new YamlScalarNode("devices")])[0];
        Assert.Equal("nvidia", Scalar(device.Children[new YamlScalarNode("driver")]));
    }

    [Fact]
    public void The_proxy_balances_across_every_replica_of_the_detector_service()
    {
        var nginx = File.ReadAllText(Path.Combine(Docker, "nginx", "detector.conf"));
        Assert.Contains("server detector:8080 resolve;", nginx);
        Assert.Contains("resolver 127.0.0.11", nginx);
        var mounted = ((YamlSequenceNode)Map(Map(Load("docker-compose.yml"), "services"), "proxy").Children[new YamlScalarNode("volumes")]).Select(Scalar);
        Assert.Contains("./nginx/detector.conf:/etc/nginx/conf.d/default.conf:ro", mounted);
    }

    [Fact]
    public void The_service_limits_and_the_proxy_limits_agree()
    {
        var nginx = File.ReadAllText(Path.Combine(Docker, "nginx", "detector.conf"));
        var appsettings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "appsettings.json"))).RootElement;
        var maxBytes = appsettings.GetProperty("Limits").GetProperty("MaxRequestBytes").GetInt64();
        Assert.Contains($"client_max_body_size {maxBytes / 1024 / 1024}m;", nginx);
        var timeout = appsettings.GetProperty("Batching").GetProperty("RequestTimeoutSeconds").GetInt32();
        var readTimeout = int.Parse(System.Text.RegularExpressions.Regex.Match(nginx, @"proxy_read_timeout (\d+)s;").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(readTimeout > timeout, $"proxy_read_timeout {readTimeout}s must exceed the service's {timeout}s");
    }

    [Fact]
    [Trait(TestCategories.Category, TestCategories.External)]
    public async Task Debians_docker_compose_accepts_both_files()
    {
        const string compose = "/usr/bin/docker-compose";
        Assert.True(File.Exists(compose), $"{compose} is missing: install Debian's docker-compose (tests/run.sh does).");
        var start = new ProcessStartInfo(compose, ["-f", "docker-compose.yml", "-f", "docker-compose.gpu.yml", "--profile", "trainer", "config", "--quiet"])
        {
            WorkingDirectory = Docker,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"docker-compose config failed: {error}");
    }
}
