namespace CornerNet.Service.Tests.Batching;

/// <summary>At start-up the service times the batch sizes on the loaded model and caps its batches accordingly.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class BatchSizeMeasurementTests
{
    [Fact]
    public async Task The_batch_size_cap_is_measured_at_start_up_and_never_above_the_configured_maximum()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Batching:MeasureBatchSizes"] = "true",
            ["Batching:MaxBatchSize"] = "2",
        });
        using var client = await factory.CreateReadyClientAsync();
        var cap = (await MetricsSnapshot.ReadAsync(client))["cornernet_batch_size_cap"];
        Assert.InRange(cap, 1, 2);
    }

    [Fact]
    public async Task Without_measurement_the_configured_maximum_is_the_cap()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?> { ["Batching:MaxBatchSize"] = "3" });
        using var client = await factory.CreateReadyClientAsync();
        Assert.Equal(3, (await MetricsSnapshot.ReadAsync(client))["cornernet_batch_size_cap"]);
    }
}
