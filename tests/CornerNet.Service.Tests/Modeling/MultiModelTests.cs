using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Model.Inference;
using CornerNet.Service.Api;
using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Logging.Abstractions;

namespace CornerNet.Service.Tests.Modeling;

/// <summary>Two named models in one real host, each with its own queue, worker, thread count and metrics.</summary>
public sealed class MultiModelTests(MultiModelTests.TwoModelHost host) : IClassFixture<MultiModelTests.TwoModelHost>
{
    /// <summary>The fixture network twice: "alpha" (the default, one thread) from the zip checkpoint and "beta" (two
    /// threads) from the same weights in the legacy format, so the two answer with different SHA-256s.</summary>
    public sealed class TwoModelHost : IAsyncLifetime
    {
        public static readonly string AlphaWeights = RepositoryPaths.Fixture("network", "fixture_zip.pth");

        public static readonly string BetaWeights = RepositoryPaths.Fixture("network", "fixture_legacy.pkl");

        public ServiceFactory Factory { get; } = new(Settings());

        /// <summary>The two models' configuration.</summary>
        public static Dictionary<string, string?> Settings() => new()
        {
            ["Models:alpha:Architecture"] = RepositoryPaths.Fixture("network", "fixture_arch.json"),
            ["Models:alpha:Weights"] = AlphaWeights,
            ["Models:alpha:Device"] = "cpu",
            ["Models:alpha:InferenceThreads"] = "1",
            ["Models:beta:Architecture"] = RepositoryPaths.Fixture("network", "fixture_arch.json"),
            ["Models:beta:Weights"] = BetaWeights,
            ["Models:beta:Device"] = "cpu",
            ["Models:beta:InferenceThreads"] = "2",
            ["Models:beta:MaxBatchSize"] = "2",
            ["Detection:DefaultModel"] = "alpha",
        };

        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }

    private static ByteArrayContent Png()
    {
        var content = new ByteArrayContent(TestImages.Png(48, 40));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private static string Sha256(string path) => LoadedModel.Sha256(path);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task GET_models_lists_both_models_ready_and_names_the_default()
    {
        var list = await host.Client.GetFromJsonAsync<JsonElement>("/models");

        Assert.Equal("alpha", list.GetProperty("defaultModel").GetString());
        var models = list.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["alpha", "beta"], models.Select(m => m.GetProperty("name").GetString()));
        Assert.All(models, m => Assert.Equal("ready", m.GetProperty("state").GetString()));
        Assert.Equal([true, false], models.Select(m => m.GetProperty("isDefault").GetBoolean()));
        Assert.Equal(Sha256(TwoModelHost.BetaWeights), models[1].GetProperty("weightsSha256").GetString());
    }

    [Fact]
    public async Task Each_model_runs_with_its_own_thread_count_and_batching_settings()
    {
        var alpha = await host.Client.GetFromJsonAsync<JsonElement>("/models/alpha");
        var beta = await host.Client.GetFromJsonAsync<JsonElement>("/models/BETA");

        // Read back on each model's own thread: the counts are per thread, not one for the process.
        Assert.Equal(1, alpha.GetProperty("inferenceThreadsInUse").GetInt32());
        Assert.Equal(2, beta.GetProperty("inferenceThreadsInUse").GetInt32());
        Assert.Equal(4, alpha.GetProperty("batching").GetProperty("maxBatchSize").GetInt32());
        Assert.Equal(2, beta.GetProperty("batching").GetProperty("maxBatchSize").GetInt32());
        Assert.Equal("beta", beta.GetProperty("name").GetString());
        Assert.False(beta.GetProperty("isDefault").GetBoolean());
        // GET /model is the default model.
        var model = await host.Client.GetFromJsonAsync<JsonElement>("/model");
        Assert.Equal("alpha", model.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_request_runs_on_the_model_it_names_and_the_response_says_which_weights_answered()
    {
        var before = await MetricsSnapshot.ReadAsync(host.Client);

        var beta = await JsonAsync(await host.Client.PostAsync("/detect?model=beta", Png()));
        var alpha = await JsonAsync(await host.Client.PostAsync("/detect", Png()));
        var batch = await JsonAsync(await host.Client.PostAsync("/detect/batch?model=beta", new MultipartFormDataContent
        {
            { Png(), "images", "a.png" },
            { Png(), "images", "b.png" },
        }));
        var annotated = await host.Client.PostAsync("/detect/annotated?model=beta", Png());

        Assert.Equal(("beta", Sha256(TwoModelHost.BetaWeights)), (beta.GetProperty("model").GetString(), beta.GetProperty("weightsSha256").GetString()));
        Assert.Equal(("alpha", Sha256(TwoModelHost.AlphaWeights)), (alpha.GetProperty("model").GetString(), alpha.GetProperty("weightsSha256").GetString()));
        Assert.All(batch.GetProperty("results").EnumerateArray(), r => Assert.Equal("beta", r.GetProperty("model").GetString()));
        Assert.Equal(HttpStatusCode.OK, annotated.StatusCode);
        Assert.Equal("beta", annotated.Headers.GetValues("X-Model").Single());
        Assert.Equal(Sha256(TwoModelHost.BetaWeights), annotated.Headers.GetValues("X-Weights-Sha256").Single());

        var after = await MetricsSnapshot.ReadAsync(host.Client);
        Assert.Equal(4, after["cornernet_images_processed_total{model=\"beta\"}"] - before["cornernet_images_processed_total{model=\"beta\"}"]);
        Assert.Equal(1, after["cornernet_images_processed_total{model=\"alpha\"}"] - before["cornernet_images_processed_total{model=\"alpha\"}"]);
        Assert.True(after["cornernet_batch_size_count{model=\"beta\"}"] > before["cornernet_batch_size_count{model=\"beta\"}"]);
    }

    [Theory]
    [InlineData("POST", "/detect?model=gamma")]
    [InlineData("POST", "/detect/batch?model=gamma")]
    [InlineData("GET", "/models/gamma")]
    [InlineData("POST", "/models/gamma/reload")]
    public async Task An_unknown_model_is_a_404_problem(string method, string path)
    {
        var content = path.Contains("batch", StringComparison.Ordinal)
            ? new MultipartFormDataContent { { Png(), "images", "a.png" } }
            : (HttpContent)Png();
        var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? content : null });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("'gamma'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_not_loaded_yet_is_503_with_Retry_After_and_listed_as_loading()
    {
        var options = new ServedModelOptions
        {
            Name = "later",
            Section = "Models:later",
            Model = new ModelOptions { Architecture = "tiny", Weights = "never-loaded.pth" },
            Batching = new BatchingOptions(),
            Inference = new InferenceOptions(),
        };
        using var unit = new ModelUnit(options, new PipelineOverrides(), RepositoryPaths.Root, TimeProvider.System,
            new ServiceMetrics().For("later"), NullLogger.Instance);

        var problem = Assert.Throws<ApiProblemException>(() => DetectionCoordinator.Ready(unit));
        Assert.Equal(503, problem.Status);
        Assert.NotNull(problem.RetryAfter);
        Assert.Equal("loading", ModelInfoMapper.ToSummary(unit, isDefault: false).State);
    }

    [Fact]
    public async Task The_single_model_settings_serve_one_model_named_after_the_architecture_file()
    {
        await using var factory = new ServiceFactory();
        using var client = await factory.CreateReadyClientAsync();

        var list = await client.GetFromJsonAsync<JsonElement>("/models");
        var model = Assert.Single(list.GetProperty("models").EnumerateArray().ToList());
        Assert.Equal("fixture_arch", model.GetProperty("name").GetString());
        Assert.Equal("fixture_arch", list.GetProperty("defaultModel").GetString());
        var response = await JsonAsync(await client.PostAsync("/detect?model=fixture_arch", Png()));
        Assert.Equal("fixture_arch", response.GetProperty("model").GetString());
    }
}
