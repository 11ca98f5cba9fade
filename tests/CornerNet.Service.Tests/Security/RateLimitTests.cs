using System.Net;
using System.Text.Json;

namespace CornerNet.Service.Tests.Security;

/// <summary>Request rates (ASP.NET Core's rate limiter) per API key, and per client address when keys are off.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_Retry_After_while_other_keys_go_on()
    {
        // One request a minute with a burst of two: the third at once is over, for that key only.
        await using var factory = new ServiceFactory(TestKeys.Enabled(
            ("ApiKeys:Keys:0:RequestsPerMinute", "1"), ("ApiKeys:Keys:0:Burst", "2"),
            ("ApiKeys:Keys:1:Scopes:1", "detect")));
        using var client = await factory.CreateReadyClientAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Detect))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Bearer(HttpMethod.Post, "/detect", TestKeys.Detect, TestKeys.Png()))).StatusCode);
        var over = await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Detect));

        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
        var retryAfter = over.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        var problem = JsonDocument.Parse(await over.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains("'team'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Another key has its own bucket (unlimited by default), and health is never limited.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.AdminOnly))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Without_keys_each_client_address_is_limited_when_configured()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["RateLimits:AnonymousRequestsPerMinute"] = "1",
            ["RateLimits:Burst"] = "1",
        }, realPort: true);
        using var client = await factory.CreateReadyClientAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/model")).StatusCode);
        var over = await client.GetAsync("/model");
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.Contains("This client", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(over.Headers.RetryAfter?.Delta);
    }
}
