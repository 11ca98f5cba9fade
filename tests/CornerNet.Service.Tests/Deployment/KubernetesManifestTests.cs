using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.FileSystemGlobbing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace CornerNet.Service.Tests.Deployment;

/// <summary>
/// deploy/kubernetes rendered offline by <c>kubectl kustomize</c> (no cluster runs here): every object validated
/// against Kubernetes v1.32.2's API schema and the KEDA and Prometheus Operator CRD schemas
/// (tests/fixtures/kubernetes/validate_manifests.py), and the cross-references between objects, the image and the
/// service's settings checked here.
/// </summary>
[Trait(TestCategories.Category, TestCategories.External)]
public sealed class KubernetesManifestTests
{
    private static readonly string Kubernetes = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");
    private static readonly string Validator = RepositoryPaths.Fixture("kubernetes", "validate_manifests.py");

    public static TheoryData<string> Overlays => new() { "cpu", "gpu" };

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), $"{program} did not finish");
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>The objects <c>kubectl kustomize</c> renders from <paramref name="folder"/>, as JSON (every scalar a string).</summary>
    private static List<JsonObject> Render(string folder)
    {
        var (code, yaml) = Run("kubectl", "kustomize", Path.Combine(Kubernetes, folder));
        Assert.True(code == 0, yaml);
        var deserializer = new DeserializerBuilder().Build();
        var serializer = new SerializerBuilder().JsonCompatible().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var objects = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var document = deserializer.Deserialize<object>(parser);
            objects.Add(JsonNode.Parse(serializer.Serialize(document))!.AsObject());
        }

        return objects;
    }

    private static JsonObject One(List<JsonObject> objects, string kind) => Assert.Single(objects, o => Text(o["kind"]) == kind);

    private static string Text(JsonNode? node) => node?.ToString() ?? "";

    private static int Number(JsonNode? node) => int.Parse(Text(node), CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Labels(JsonNode? node) =>
        node?.AsObject().ToDictionary(p => p.Key, p => Text(p.Value)) ?? [];

    private static void AssertSelects(JsonNode? selector, Dictionary<string, string> labels, string what)
    {
        var wanted = Labels(selector);
        Assert.NotEmpty(wanted);
        Assert.All(wanted, pair => Assert.True(labels.TryGetValue(pair.Key, out var value) && value == pair.Value, $"{what}: {pair.Key}={pair.Value} not on the target"));
    }

    private static string? Env(JsonNode container, string name) =>
        container["env"]!.AsArray().FirstOrDefault(e => Text(e!["name"]) == name)?["value"]?.ToString();

    [Fact]
    public void Every_object_of_every_kustomization_validates_against_the_released_api_schemas_and_lints_clean()
    {
        var (code, output) = Run("/usr/bin/python3", Validator,
            Path.Combine(Kubernetes, "overlays", "cpu"), Path.Combine(Kubernetes, "overlays", "gpu"), Path.Combine(Kubernetes, "jobs"),
            Path.Combine(Kubernetes, "jobs", "merge"));
        Assert.True(code == 0, output);
        Assert.Contains("18 objects, 0 invalid", output);

        var (lint, lintOutput) = Run("yamllint", "--strict", "-c", Path.Combine(Kubernetes, ".yamllint"), Kubernetes);
        Assert.True(lint == 0, lintOutput);
    }

    [Fact]
    public void The_validator_refuses_a_misspelt_field_and_a_wrongly_typed_value()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"cornernet-k8s-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(copy);
            foreach (var file in Directory.GetFiles(Path.Combine(Kubernetes, "base"))) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            var deployment = Path.Combine(copy, "deployment.yaml");
            File.WriteAllText(deployment, File.ReadAllText(deployment)
                .Replace("terminationGracePeriodSeconds:", "terminationGracePeriod:", StringComparison.Ordinal)
                .Replace("containerPort: 8080", "containerPort: \"8080\"", StringComparison.Ordinal));

            var (code, output) = Run("/usr/bin/python3", Validator, copy);

            Assert.Equal(1, code);
            Assert.Contains("'terminationGracePeriod' was unexpected", output);
            Assert.Contains("'8080' is not of type 'integer'", output);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Ports_probes_selectors_and_references_agree(string overlay)
    {
        var objects = Render(Path.Combine("overlays", overlay));
        var deployment = One(objects, "Deployment");
        var pod = deployment["spec"]!["template"]!;
        var podLabels = Labels(pod["metadata"]!["labels"]);
        var container = Assert.Single(pod["spec"]!["containers"]!.AsArray())!;
        var ports = container["ports"]!.AsArray().ToDictionary(p => Text(p!["name"]), p => Number(p!["containerPort"]));

        // The image listens on ASPNETCORE_HTTP_PORTS (Dockerfile); the probes hit the health endpoints on that port.
        Assert.Contains("ENV ASPNETCORE_HTTP_PORTS=8080", File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Dockerfile")));
        Assert.Equal(8080, ports["http"]);
        Assert.Equal("/health/ready", Text(container["startupProbe"]!["httpGet"]!["path"]));
        Assert.Equal("/health/ready", Text(container["readinessProbe"]!["httpGet"]!["path"]));
        Assert.Equal("/health/live", Text(container["livenessProbe"]!["httpGet"]!["path"]));
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Contains(Text(container[probe]!["httpGet"]!["port"]), ports.Keys);
        }

        // hourglass-104 takes minutes to load and warm up on CPU: the startup probe allows ten.
        var startup = container["startupProbe"]!;
        Assert.True(Number(startup["periodSeconds"]) * Number(startup["failureThreshold"]) >= 600);

        AssertSelects(deployment["spec"]!["selector"]!["matchLabels"], podLabels, "Deployment selector");
        var service = One(objects, "Service");
        AssertSelects(service["spec"]!["selector"], podLabels, "Service selector");
        var servicePort = Assert.Single(service["spec"]!["ports"]!.AsArray())!;
        Assert.Contains(Text(servicePort["targetPort"]), ports.Keys);
        AssertSelects(One(objects, "PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"], podLabels, "PodDisruptionBudget selector");

        var monitor = One(objects, "ServiceMonitor");
        AssertSelects(monitor["spec"]!["selector"]!["matchLabels"], Labels(service["metadata"]!["labels"]), "ServiceMonitor selector");
        var endpoint = Assert.Single(monitor["spec"]!["endpoints"]!.AsArray())!;
        Assert.Equal(Text(servicePort["name"]), Text(endpoint["port"]));
        Assert.Equal("/metrics", Text(endpoint["path"]));

        var backend = One(objects, "Ingress")["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!;
        Assert.Equal(Text(service["metadata"]!["name"]), Text(backend["name"]));
        Assert.Equal(Text(servicePort["name"]), Text(backend["port"]!["name"]));
        Assert.Equal(Text(deployment["metadata"]!["name"]), Text(One(objects, "ScaledObject")["spec"]!["scaleTargetRef"]!["name"]));

        var models = One(objects, "PersistentVolumeClaim");
        var volumes = pod["spec"]!["volumes"]!.AsArray();
        Assert.Contains(volumes, v => Text(v!["persistentVolumeClaim"]?["claimName"]) == Text(models["metadata"]!["name"]));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_pod_outlasts_the_drain_gets_the_cpus_of_its_threads_and_runs_locked_down(string overlay)
    {
        var deployment = One(Render(Path.Combine("overlays", overlay)), "Deployment");
        var spec = deployment["spec"]!["template"]!["spec"]!;
        var container = spec["containers"]![0]!;
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "appsettings.json")))!["Batching"]!;

        int drain = Env(container, "Batching__ShutdownDrainSeconds") is { } d ? int.Parse(d, CultureInfo.InvariantCulture) : Number(settings["ShutdownDrainSeconds"]);
        int grace = Env(container, "Batching__ShutdownBatchGraceSeconds") is { } g ? int.Parse(g, CultureInfo.InvariantCulture) : new Service.Configuration.BatchingOptions().ShutdownBatchGraceSeconds;
        int preStop = Number(container["lifecycle"]!["preStop"]!["sleep"]!["seconds"]);
        var shutdown = Service.Hosting.ServerExtensions.ShutdownTimeout(new Service.Configuration.BatchingOptions { ShutdownDrainSeconds = drain, ShutdownBatchGraceSeconds = grace });
        Assert.True(Number(spec["terminationGracePeriodSeconds"]) > preStop + shutdown.TotalSeconds,
            "the grace period must outlast the preStop pause and the service's whole shutdown (drain, running batch, last answers)");

        var threads = Env(container, "Batching__InferenceThreads");
        Assert.NotNull(threads);
        Assert.True(int.Parse(threads, CultureInfo.InvariantCulture) > 0, "set the threads explicitly: 0 would take the node's core count, not the pod's");
        var resources = container["resources"]!;
        Assert.Equal(threads, Text(resources["requests"]!["cpu"]));
        Assert.Equal(threads, Text(resources["limits"]!["cpu"]));
        Assert.Equal(Text(resources["requests"]!["memory"]), Text(resources["limits"]!["memory"]));

        Assert.Equal("true", Text(spec["securityContext"]!["runAsNonRoot"]));
        Assert.NotEqual("0", Text(spec["securityContext"]!["runAsUser"]));
        Assert.Equal("true", Text(container["securityContext"]!["readOnlyRootFilesystem"]));
        Assert.Equal("false", Text(container["securityContext"]!["allowPrivilegeEscalation"]));
        var mounts = container["volumeMounts"]!.AsArray();
        var tmp = Assert.Single(mounts, m => Text(m!["mountPath"]) == "/tmp")!;
        Assert.NotNull(spec["volumes"]!.AsArray().Single(v => Text(v!["name"]) == Text(tmp["name"]))!["emptyDir"]);
        Assert.Equal("true", Text(mounts.Single(m => Text(m!["mountPath"]) == "/models")!["readOnly"]));
        Assert.StartsWith("/models/", Env(container, "Model__Weights"));

        if (overlay == "gpu")
        {
            Assert.Equal("1", Text(resources["limits"]!["nvidia.com/gpu"]));
            Assert.NotNull(spec["nodeSelector"]);
            Assert.Contains(spec["tolerations"]!.AsArray(), t => Text(t!["key"]) == "nvidia.com/gpu");
            Assert.Equal("cuda", Env(container, "Model__Device"));
            Assert.EndsWith(":cuda", Text(container["image"]));
        }
        else
        {
            Assert.Null(resources["limits"]!["nvidia.com/gpu"]);
            Assert.Equal("cpu", Env(container, "Model__Device"));
        }
    }

    [Fact]
    public async Task The_autoscaler_scales_on_the_queue_depth_gauge_the_service_exports()
    {
        var scaled = One(Render(Path.Combine("overlays", "cpu")), "ScaledObject");
        var trigger = Assert.Single(scaled["spec"]!["triggers"]!.AsArray())!;
        Assert.Equal("prometheus", Text(trigger["type"]));
        Assert.Contains("cornernet_queue_depth", Text(trigger["metadata"]!["query"]));

        await using var factory = new ServiceFactory();
        using var client = await factory.CreateReadyClientAsync();
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("# TYPE cornernet_queue_depth gauge", metrics);
    }

    [Fact]
    public void The_detect_job_is_indexed_and_each_pod_runs_its_own_shard_into_its_own_files()
    {
        var objects = Render("jobs");
        var detect = Assert.Single(objects, o => Text(o["kind"]) == "Job" && Text(o["metadata"]!["name"]) == "cornernet-detect");
        var spec = detect["spec"]!;
        Assert.Equal("Indexed", Text(spec["completionMode"]));
        var pod = spec["template"]!["spec"]!;
        var args = pod["containers"]![0]!["args"]!.AsArray().Select(Text).ToList();
        Assert.Equal("detect", args[0]);
        Assert.Contains($"--shard=$(JOB_COMPLETION_INDEX)/{Text(spec["completions"])}", args);
        Assert.Contains(args, a => a.StartsWith("--out=", StringComparison.Ordinal) && a.Contains("$(JOB_COMPLETION_INDEX)", StringComparison.Ordinal));
        Assert.True(Number(pod["terminationGracePeriodSeconds"]) > ShutdownTimeout(args), "the grace period must outlast --shutdown-timeout");

        var train = Assert.Single(objects, o => Text(o["kind"]) == "Job" && Text(o["metadata"]!["name"]) == "cornernet-train");
        var trainPod = train["spec"]!["template"]!["spec"]!;
        var trainArgs = trainPod["containers"]![0]!["args"]!.AsArray().Select(Text).ToList();
        Assert.Equal("train", trainArgs[0]);
        Assert.Contains("--resume", trainArgs);
        Assert.True(Number(trainPod["terminationGracePeriodSeconds"]) > ShutdownTimeout(trainArgs));
    }

    [Fact]
    public void The_merge_job_takes_every_shard_file_the_detect_job_writes_and_not_its_own_output()
    {
        var detect = Assert.Single(Render("jobs"), o => Text(o["kind"]) == "Job" && Text(o["metadata"]!["name"]) == "cornernet-detect");
        int completions = Number(detect["spec"]!["completions"]);
        var detectPod = detect["spec"]!["template"]!["spec"]!;
        var shardOut = Argument(detectPod["containers"]![0]!["args"]!.AsArray().Select(Text).ToList(), "--out");

        var merge = Assert.Single(Render(Path.Combine("jobs", "merge")), o => Text(o["kind"]) == "Job");
        var pod = merge["spec"]!["template"]!["spec"]!;
        var args = pod["containers"]![0]!["args"]!.AsArray().Select(Text).ToList();
        Assert.Equal("merge", args[0]);
        var pattern = Assert.Single(args, a => !a.StartsWith('-') && a != "merge");
        var glob = new Matcher(StringComparison.Ordinal);
        glob.AddInclude(Path.GetFileName(pattern));
        for (int i = 0; i < completions; i++)
        {
            var file = shardOut.Replace("$(JOB_COMPLETION_INDEX)", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Equal(Path.GetDirectoryName(pattern), Path.GetDirectoryName(file));
            Assert.True(glob.Match(Path.GetFileName(file)).HasMatches, $"{pattern} does not match shard {i}'s {file}");
        }

        Assert.False(glob.Match(Path.GetFileName(Argument(args, "--out"))).HasMatches, "the merged file would be taken for a shard");
        Assert.False(glob.Match(Path.GetFileName(shardOut.Replace("$(JOB_COMPLETION_INDEX)", "0", StringComparison.Ordinal)) + ".journal").HasMatches);

        // The same data claim as the shards, and locked down like them.
        var claim = (JsonNode? spec) => spec!["volumes"]!.AsArray().Select(v => Text(v!["persistentVolumeClaim"]?["claimName"])).Where(c => c.Length > 0).ToList();
        Assert.Contains(Assert.Single(claim(pod)), claim(detectPod));
        Assert.Equal("true", Text(pod["securityContext"]!["runAsNonRoot"]));
        Assert.Equal("true", Text(pod["containers"]![0]!["securityContext"]!["readOnlyRootFilesystem"]));
    }

    private static string Argument(List<string> args, string name) =>
        args.Single(a => a.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    private static int ShutdownTimeout(List<string> args) =>
        int.Parse(args.Single(a => a.StartsWith("--shutdown-timeout=", StringComparison.Ordinal))["--shutdown-timeout=".Length..], CultureInfo.InvariantCulture);
}
