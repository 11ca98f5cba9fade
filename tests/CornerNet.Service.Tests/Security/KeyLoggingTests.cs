using System.Net;

namespace CornerNet.Service.Tests.Security;

/// <summary>Keys never reach the logs, even with every log source at its most verbose.</summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
public sealed class KeyLoggingTests
{
    [Fact]
    public async Task No_key_appears_in_the_logs_of_accepted_refused_or_forbidden_requests()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            // JSON: every property of every event is written, not only those in the message.
            ["ServiceLogging__Format"] = "json",
            ["Serilog__MinimumLevel__Default"] = "Verbose",
            ["Serilog__MinimumLevel__Override__Microsoft.AspNetCore"] = "Verbose",
            ["Serilog__MinimumLevel__Override__Microsoft"] = "Verbose",
            ["ApiKeys__Enabled"] = "true",
            ["ApiKeys__Keys__0__Name"] = "team",
            ["ApiKeys__Keys__0__Sha256"] = TestKeys.Sha256(TestKeys.Detect),
            ["ApiKeys__Keys__1__Name"] = "ops",
            ["ApiKeys__Keys__1__Sha256"] = TestKeys.Sha256(TestKeys.AdminOnly),
            ["ApiKeys__Keys__1__Scopes__0"] = "admin",
            ["ApiKeys__Keys__1__RequestsPerMinute"] = "1",
            ["ApiKeys__Keys__1__Burst"] = "1",
        });
        using var client = new HttpClient { BaseAddress = service.Address };

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Bearer(HttpMethod.Post, "/detect", TestKeys.Detect, TestKeys.Png()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Header(HttpMethod.Post, "/detect", TestKeys.Detect, TestKeys.Png()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(TestKeys.Bearer(HttpMethod.Post, "/detect", TestKeys.Unknown, TestKeys.Png()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Unknown))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(TestKeys.Header(HttpMethod.Post, "/detect", TestKeys.AdminOnly, TestKeys.Png()))).StatusCode);

        // The service logged these requests at all (so the check below looks at real output).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (service.Process.Lines.Count(l => l.Contains("\"StatusCode\":401", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var output = service.Process.Output + service.Process.Error;
        Assert.Contains("\"StatusCode\":403", output, StringComparison.Ordinal);
        Assert.Contains("Authorization", output, StringComparison.Ordinal);
        foreach (var key in new[] { TestKeys.Detect, TestKeys.AdminOnly, TestKeys.Unknown, TestKeys.Sha256(TestKeys.Unknown) })
        {
            Assert.DoesNotContain(key, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("cnk_", output, StringComparison.Ordinal);
        // Who sent a request is logged by the key's holder.
        Assert.Contains("\"ApiKey\":\"team\"", output, StringComparison.Ordinal);
    }
}
