using System.Net;
using System.Security.Claims;
using System.Text.Json;
using CornerNet.Service.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace CornerNet.Service.Tests.Security;

/// <summary>API keys against the real host: 401 and 403 problem documents, both ways of sending a key, open health
/// endpoints, metrics and the OpenAPI document open or protected by configuration, keys from a secrets file.</summary>
public sealed class ApiKeyTests
{
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailPart)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailPart, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_the_api_answers_401_with_a_problem_and_a_bearer_challenge()
    {
        await using var factory = new ServiceFactory(TestKeys.Enabled());
        using var client = await factory.CreateReadyClientAsync();

        var detect = await client.PostAsync("/detect", TestKeys.Png());
        await AssertProblemAsync(detect, HttpStatusCode.Unauthorized, "X-Api-Key");
        Assert.Equal("Bearer", detect.Headers.WwwAuthenticate.Single().Scheme);
        await AssertProblemAsync(await client.GetAsync("/model"), HttpStatusCode.Unauthorized, "needs an API key");
    }

    [Fact]
    public async Task An_unknown_key_is_refused_with_401_invalid_token_whichever_header_carries_it()
    {
        await using var factory = new ServiceFactory(TestKeys.Enabled());
        using var client = await factory.CreateReadyClientAsync();

        foreach (var request in new[]
                 {
                     TestKeys.Bearer(HttpMethod.Post, "/detect", TestKeys.Unknown, TestKeys.Png()),
                     TestKeys.Header(HttpMethod.Post, "/detect", TestKeys.Unknown, TestKeys.Png()),
                 })
        {
            var response = await client.SendAsync(request);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not known");
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);
            Assert.DoesNotContain(TestKeys.Unknown, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_known_key_is_accepted_as_a_bearer_token_or_as_X_Api_Key()
    {
        await using var factory = new ServiceFactory(TestKeys.Enabled());
        using var client = await factory.CreateReadyClientAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Bearer(HttpMethod.Post, "/detect", TestKeys.Detect, TestKeys.Png()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Header(HttpMethod.Post, "/detect", TestKeys.Detect, TestKeys.Png()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Detect))).StatusCode);
    }

    [Fact]
    public async Task A_key_without_the_detect_scope_is_refused_with_403()
    {
        await using var factory = new ServiceFactory(TestKeys.Enabled());
        using var client = await factory.CreateReadyClientAsync();

        var response = await client.SendAsync(TestKeys.Bearer(HttpMethod.Post, "/detect", TestKeys.AdminOnly, TestKeys.Png()));
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "'ops' does not have the scope 'detect'");
    }

    [Fact]
    public async Task The_admin_policy_admits_keys_with_the_admin_scope_only_and_is_open_with_keys_off()
    {
        static ClaimsPrincipal Holder(params string[] scopes) => new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "someone"), .. scopes.Select(s => new Claim(ApiScopes.ClaimType, s))], ApiKeyAuthenticationHandler.SchemeName));

        await using (var on = new ServiceFactory(TestKeys.Enabled()))
        {
            var authorization = on.Services.GetRequiredService<IAuthorizationService>();
            Assert.True((await authorization.AuthorizeAsync(Holder(ApiScopes.Admin), ApiScopes.Admin)).Succeeded);
            Assert.False((await authorization.AuthorizeAsync(Holder(ApiScopes.Detect), ApiScopes.Admin)).Succeeded);
            Assert.False((await authorization.AuthorizeAsync(new ClaimsPrincipal(new ClaimsIdentity()), ApiScopes.Admin)).Succeeded);
        }

        await using var off = new ServiceFactory();
        Assert.True((await off.Services.GetRequiredService<IAuthorizationService>()
            .AuthorizeAsync(new ClaimsPrincipal(new ClaimsIdentity()), ApiScopes.Admin)).Succeeded);
    }

    [Fact]
    public async Task Health_stays_open_while_metrics_and_the_openapi_document_are_open_unless_protected()
    {
        await using (var open = new ServiceFactory(TestKeys.Enabled()))
        {
            using var client = await open.CreateReadyClientAsync();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        }

        await using var closed = new ServiceFactory(TestKeys.Enabled(("ApiKeys:ProtectMetrics", "true"), ("ApiKeys:ProtectSwagger", "true")));
        using var guarded = await closed.CreateReadyClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await guarded.GetAsync("/health/ready")).StatusCode);
        await AssertProblemAsync(await guarded.GetAsync("/metrics"), HttpStatusCode.Unauthorized, "needs an API key");
        await AssertProblemAsync(await guarded.GetAsync("/swagger/v1/swagger.json"), HttpStatusCode.Unauthorized, "needs an API key");
        // Any valid key will do, whatever its scopes.
        Assert.Equal(HttpStatusCode.OK, (await guarded.SendAsync(TestKeys.Header(HttpMethod.Get, "/metrics", TestKeys.AdminOnly))).StatusCode);
        var document = await guarded.SendAsync(TestKeys.Bearer(HttpMethod.Get, "/swagger/v1/swagger.json", TestKeys.Detect));
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Contains("X-Api-Key", await document.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_come_from_the_secrets_file_and_a_rewritten_file_is_read_again()
    {
        var folder = Directory.CreateTempSubdirectory("cornernet-keys-");
        try
        {
            var path = Path.Combine(folder.FullName, "keys.json");
            await File.WriteAllTextAsync(path, KeysFile(("mounted", TestKeys.Detect)));
            await using var factory = new ServiceFactory(new Dictionary<string, string?>
            {
                ["ApiKeys:Enabled"] = "true",
                ["ApiKeys:KeysFile"] = path,
            });
            using var client = await factory.CreateReadyClientAsync();
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Detect))).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Unknown))).StatusCode);

            // Rotation: the new key replaces the old one in the file; the service picks it up without a restart.
            await File.WriteAllTextAsync(path, KeysFile(("rotated", TestKeys.Unknown)));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            HttpStatusCode status;
            while ((status = (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Unknown))).StatusCode) != HttpStatusCode.OK
                   && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Detect))).StatusCode);

            // A broken file keeps the keys in force.
            await File.WriteAllTextAsync(path, "{ \"keys\": [ { \"name\": \"broken\", \"sha256\": \"not-a-hash\" } ] }");
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TestKeys.Header(HttpMethod.Get, "/model", TestKeys.Unknown))).StatusCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string KeysFile(params (string Name, string Key)[] keys) => JsonSerializer.Serialize(new
    {
        keys = keys.Select(k => new { name = k.Name, sha256 = TestKeys.Sha256(k.Key), scopes = new[] { "detect" } }),
    });
}
