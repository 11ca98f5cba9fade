using System.Diagnostics;
using System.Security.Claims;
using System.Text.Encodings.Web;
using CornerNet.Service.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Security;

/// <summary>
/// Authenticates a request by its API key, sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>.
/// Answers 401 (no key, unknown key; with WWW-Authenticate) and 403 (a key without the scope) as RFC 9457 problem
/// documents. Never logs, stores or echoes a key: the principal carries the key's name and scopes only.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IOptions<ApiKeysOptions> apiKeys,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    public const string HeaderName = "X-Api-Key";

    /// <summary>The challenge's scheme and realm (RFC 6750 form; the key is the bearer token).</summary>
    private const string Challenge = "Bearer realm=\"cornernet\"";

    private const string UnknownKey = "unknown";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!apiKeys.Value.Enabled)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Find(presented) is not { } key)
        {
            Context.Items[UnknownKey] = true;
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        Activity.Current?.SetTag("cornernet.api_key", key.Name);
        var claims = new List<Claim> { new(ClaimTypes.Name, key.Name) };
        claims.AddRange(key.Scopes.Select(scope => new Claim(ApiScopes.ClaimType, scope)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var unknown = Context.Items.ContainsKey(UnknownKey);
        Response.Headers.WWWAuthenticate = unknown ? $"{Challenge}, error=\"invalid_token\"" : Challenge;
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", unknown
            ? "The API key is not known (revoked, mistyped, or of another deployment)."
            : $"This endpoint needs an API key: send 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(a => a.Policy).OfType<string>().Where(ApiScopes.All.Contains).Distinct().ToList() ?? [];
        var scope = needed.Count > 0 ? $"the scope '{string.Join("', '", needed)}'" : "the scope";
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden",
            $"The API key '{Context.User.Identity?.Name}' does not have {scope} this endpoint needs.");
    }

    /// <summary>The key sent with the request: the bearer token of Authorization, else X-Api-Key.</summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            if (token.Length > 0) return token;
        }

        var header = request.Headers[HeaderName].ToString().Trim();
        return header.Length > 0 ? header : null;
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
