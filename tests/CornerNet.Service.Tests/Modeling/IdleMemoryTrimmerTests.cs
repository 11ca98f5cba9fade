using System.Net;
using System.Net.Http.Headers;
using CornerNet.Service.Api;
using CornerNet.Service.Modeling;
using Microsoft.Extensions.DependencyInjection;

namespace CornerNet.Service.Tests.Modeling;

/// <summary>Memory is handed back once after a burst, when nothing is in flight, and never during steady traffic.</summary>
public sealed class IdleMemoryTrimmerTests
{
    [Fact]
    public async Task Memory_is_trimmed_once_per_idle_spell_after_requests_and_not_before()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?> { ["Inference:TrimMemoryWhenIdleSeconds"] = "1" });
        using var client = await factory.CreateReadyClientAsync();
        var trimmer = factory.Services.GetRequiredService<IdleMemoryTrimmer>();
        var budgets = factory.Services.GetRequiredService<RequestBudgets>();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(0, trimmer.Trims); // nothing happened yet

        var content = new ByteArrayContent(TestImages.Png(64, 48));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/detect", content)).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (trimmer.Trims == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(budgets.Idle, $"still held: {budgets.Pixels.InUse} pixels, {budgets.BodyBytes.InUse} body bytes");
        Assert.Equal(1, trimmer.Trims);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(1, trimmer.Trims); // once per idle spell
    }
}
