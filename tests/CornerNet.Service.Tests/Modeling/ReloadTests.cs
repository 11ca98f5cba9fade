using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Model.Architecture;
using CornerNet.Model.Checkpoints;
using CornerNet.Service.Modeling;
using CornerNet.Service.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace CornerNet.Service.Tests.Modeling;

/// <summary>Zero-downtime weight updates against the real host: POST /models/{name}/reload and the watched file, under
/// load, and reloads that fail and leave the old weights serving.</summary>
public sealed class ReloadTests
{
    private static readonly string Architecture = RepositoryPaths.Fixture("network", "fixture_arch.json");

    /// <summary>The fixture weights in two formats: the same network, two SHA-256s.</summary>
    private static readonly string[] Checkpoints =
    [
        RepositoryPaths.Fixture("network", "fixture_zip.pth"),
        RepositoryPaths.Fixture("network", "fixture_legacy.pkl"),
    ];

    /// <summary>A temporary folder with the weights file the model "live" serves, replaced the safe way (a finished copy
    /// renamed onto it).</summary>
    private sealed class LiveWeights : IDisposable
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cornernet-reload-");

        public LiveWeights() => Replace(Checkpoints[0]);

        public string Path => System.IO.Path.Combine(_folder.FullName, "live.pth");

        public void Replace(string source)
        {
            var copy = System.IO.Path.Combine(_folder.FullName, $"incoming-{Guid.NewGuid():N}.tmp");
            File.Copy(source, copy);
            File.Move(copy, Path, overwrite: true);
        }

        public void Dispose() => _folder.Delete(recursive: true);
    }

    private static ServiceFactory Factory(LiveWeights weights, bool watch, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Models:live:Architecture"] = Architecture,
            ["Models:live:Weights"] = weights.Path,
            ["Models:live:Device"] = "cpu",
            ["Models:live:InferenceThreads"] = "1",
            ["ModelReload:WatchFiles"] = watch ? "true" : "false",
            ["ModelReload:DebounceMs"] = "200",
        };
        foreach (var (key, value) in more) settings[key] = value;
        return new ServiceFactory(settings);
    }

    private static ByteArrayContent Png(int seed = 1)
    {
        var content = new ByteArrayContent(TestImages.Png(40, 32, seed));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private static async Task<string?> ServedShaAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/models/live")).GetProperty("weightsSha256").GetString();

    private static async Task<string> DetectShaAsync(HttpClient client)
    {
        var response = await client.PostAsync("/detect?model=live", Png());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("weightsSha256").GetString()!;
    }

    [Fact]
    public async Task Reloads_under_load_lose_no_request_and_later_requests_get_the_new_weights()
    {
        using var weights = new LiveWeights();
        // Five clients on a shared 2-core machine: admission would refuse some (503 Busy) for the load alone, whatever
        // the reloads do; this test is about the switches, so the queue may wait.
        await using var factory = Factory(weights, watch: false, ("Models:live:MaxQueueWaitMs", "30000"));
        using var client = await factory.CreateReadyClientAsync();
        var shas = Checkpoints.Select(LoadedModel.Sha256).ToArray();
        var before = await MetricsSnapshot.ReadAsync(client);

        // Four clients send one request after another until told to stop; each answer is kept with when it was sent.
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var answers = new System.Collections.Concurrent.ConcurrentBag<(long Sent, long Answered, HttpStatusCode Status, string? Sha)>();
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            using var own = factory.CreateClient();
            while (!stop.IsCancellationRequested)
            {
                var sent = clock.ElapsedTicks;
                var response = await own.PostAsync("/detect?model=live", Png(c + 1));
                string? sha = response.IsSuccessStatusCode
                    ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("weightsSha256").GetString()
                    : null;
                answers.Add((sent, clock.ElapsedTicks, response.StatusCode, sha));
            }
        })).ToList();

        // Four switches, alternating between the two files; each one's start and end on the clients' clock.
        var switches = new List<(long Started, long Done, string Sha)>();
        for (var i = 1; i <= 4; i++)
        {
            await Task.Delay(600);
            var started = clock.ElapsedTicks;
            weights.Replace(Checkpoints[i % 2]);
            var reload = await client.PostAsync("/models/live/reload", null);
            var done = clock.ElapsedTicks;
            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
            var body = JsonDocument.Parse(await reload.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("reloaded", body.GetProperty("outcome").GetString());
            Assert.Equal(shas[(i + 1) % 2], body.GetProperty("previousWeightsSha256").GetString());
            Assert.Equal(shas[i % 2], body.GetProperty("model").GetProperty("weightsSha256").GetString());
            Assert.Equal(shas[i % 2], await DetectShaAsync(client));
            switches.Add((started, done, shas[i % 2]));
        }

        await Task.Delay(600);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        // None lost or failed; every answer came from one of the two files; an answer to a request sent after a switch
        // was done (and answered before the next began) came from the new weights, and each switch was seen.
        Assert.True(answers.Count > 20, $"only {answers.Count} requests ran during the reloads");
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers, a => Assert.Contains(a.Sha, shas));
        for (var i = 0; i < switches.Count; i++)
        {
            var next = i + 1 < switches.Count ? switches[i + 1].Started : long.MaxValue;
            var after = answers.Where(a => a.Sent > switches[i].Done && a.Answered < next).ToList();
            Assert.NotEmpty(after);
            Assert.All(after, a => Assert.Equal(switches[i].Sha, a.Sha));
        }

        var metrics = await MetricsSnapshot.ReadAsync(client);
        Assert.Equal(4, metrics["cornernet_model_reloads_total{model=\"live\",outcome=\"reloaded\"}"] - before["cornernet_model_reloads_total{model=\"live\",outcome=\"reloaded\"}"]);
        // The replaced weights were disposed once their last batch was over.
        Assert.Equal(0, factory.Services.GetRequiredService<ModelRegistry>().Find("live")!.Slot.Retiring);
        Assert.Equal(4, (await client.GetFromJsonAsync<JsonElement>("/models/live")).GetProperty("reloads").GetInt32());
    }

    [Fact]
    public async Task A_replaced_weights_file_is_reloaded_by_the_watcher_and_a_touch_is_not()
    {
        using var weights = new LiveWeights();
        await using var factory = Factory(weights, watch: true);
        using var client = await factory.CreateReadyClientAsync();
        var shas = Checkpoints.Select(LoadedModel.Sha256).ToArray();
        Assert.Equal(shas[0], await ServedShaAsync(client));

        weights.Replace(Checkpoints[1]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ServedShaAsync(client) != shas[1])
        {
            Assert.True(DateTime.UtcNow < deadline, "the watcher never reloaded the replaced file");
            await Task.Delay(100);
        }

        Assert.Equal(shas[1], await DetectShaAsync(client));

        // A touch: change events, the same content, no reload.
        var before = await MetricsSnapshot.ReadAsync(client);
        File.SetLastWriteTimeUtc(weights.Path, DateTime.UtcNow.AddMinutes(1));
        deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await MetricsSnapshot.ReadAsync(client))["cornernet_model_reloads_total{model=\"live\",outcome=\"unchanged\"}"]
               == before["cornernet_model_reloads_total{model=\"live\",outcome=\"unchanged\"}"])
        {
            Assert.True(DateTime.UtcNow < deadline, "the touch was never checked");
            await Task.Delay(100);
        }

        var info = await client.GetFromJsonAsync<JsonElement>("/models/live");
        Assert.Equal(1, info.GetProperty("reloads").GetInt32());
        Assert.Equal(shas[1], info.GetProperty("weightsSha256").GetString());
    }

    public static TheoryData<string, string> Unservable => new()
    {
        { "not a checkpoint", "cmyk.jpg" },
        { "keys of another architecture", "demo.pth" },
        { "non-finite weights", "non-finite" },
    };

    [Theory]
    [MemberData(nameof(Unservable))]
    public async Task A_reload_that_cannot_be_served_is_a_422_and_the_old_weights_keep_serving(string what, string file)
    {
        using var weights = new LiveWeights();
        await using var factory = Factory(weights, watch: false);
        using var client = await factory.CreateReadyClientAsync();
        var served = LoadedModel.Sha256(Checkpoints[0]);
        var before = await MetricsSnapshot.ReadAsync(client);

        var source = file switch
        {
            "cmyk.jpg" => RepositoryPaths.Fixture("images", "cmyk.jpg"),
            "demo.pth" => Path.Combine(RepositoryPaths.Root, "models", "demo.pth"),
            _ => NonFiniteCheckpoint(),
        };
        weights.Replace(source);
        if (file == "non-finite") Directory.Delete(Path.GetDirectoryName(source)!, recursive: true);
        var response = await client.PostAsync("/models/live/reload", null);

        Assert.True(HttpStatusCode.UnprocessableEntity == response.StatusCode, $"{what}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(served, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(served, await ServedShaAsync(client));
        Assert.Equal(served, await DetectShaAsync(client));
        var after = await MetricsSnapshot.ReadAsync(client);
        Assert.Equal(1, after["cornernet_model_reloads_total{model=\"live\",outcome=\"failed\"}"] - before["cornernet_model_reloads_total{model=\"live\",outcome=\"failed\"}"]);
    }

    [Fact]
    public async Task Reloading_needs_the_admin_scope_when_keys_are_enabled()
    {
        using var weights = new LiveWeights();
        await using var factory = Factory(weights, watch: false, [.. TestKeys.Enabled().Select(s => (s.Key, s.Value))]);
        using var client = await factory.CreateReadyClientAsync();

        var detectKey = await client.SendAsync(TestKeys.Header(HttpMethod.Post, "/models/live/reload", TestKeys.Detect));
        var adminKey = await client.SendAsync(TestKeys.Header(HttpMethod.Post, "/models/live/reload", TestKeys.AdminOnly));

        Assert.Equal(HttpStatusCode.Forbidden, detectKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminKey.StatusCode);
        var body = JsonDocument.Parse(await adminKey.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unchanged", body.GetProperty("outcome").GetString());
    }

    /// <summary>The fixture network with a NaN in its first weight, saved as a checkpoint (in a folder of its own).</summary>
    private static string NonFiniteCheckpoint()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("cornernet-nan-").FullName, "diverged.pth");
        using var network = new CornerNetNetwork(ArchitectureSpec.Load(Architecture));
        using (torch.no_grad())
        {
            foreach (var (_, value) in ModelWeights.Entries(network).Where(e => e.Value.is_floating_point()).Take(1))
            {
                value.fill_(float.NaN);
            }
        }

        ModelCheckpoint.Save(network, path);
        return path;
    }
}
