namespace CornerNet.Service.Tests.Batching;

/// <summary>At start-up the service times the batch sizes on the loaded model and caps its batches accordingly. Each
/// host serves the fixture under a name of its own, so its gauge is not another host's in this test process.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class BatchSizeMeasurementTests
{
    [Fact]
    public async Task The_batch_size_cap_is_measured_at_start_up_and_never_above_the_configured_maximum()
    {
        await using var factory = new ServiceFactory(Named("measured", ("Batching:MeasureBatchSizes", "true"), ("Batching:MaxBatchSize", "2")));
        using var client = await factory.CreateReadyClientAsync();
        var cap = (await MetricsSnapshot.ReadAsync(client))["cornernet_batch_size_cap{model=\"measured\"}"];
        Assert.InRange(cap, 1, 2);
    }

    [Fact]
    public async Task Without_measurement_the_configured_maximum_is_the_cap()
    {
        await using var factory = new ServiceFactory(Named("unmeasured", ("Batching:MaxBatchSize", "3")));
        using var client = await factory.CreateReadyClientAsync();
        Assert.Equal(3, (await MetricsSnapshot.ReadAsync(client))["cornernet_batch_size_cap{model=\"unmeasured\"}"]);
    }

    /// <summary>The fixture model as Models:{name}, with <paramref name="settings"/>.</summary>
    private static Dictionary<string, string?> Named(string name, params (string Key, string Value)[] settings)
    {
        var configuration = new Dictionary<string, string?>
        {
            [$"Models:{name}:Architecture"] = ServiceFactory.FixtureModel["Model:Architecture"],
            [$"Models:{name}:Weights"] = ServiceFactory.FixtureModel["Model:Weights"],
            [$"Models:{name}:Device"] = "cpu",
        };
        foreach (var (key, value) in settings) configuration[key] = value;
        return configuration;
    }
}
