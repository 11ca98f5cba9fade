namespace CornerNet.Service.Security;

/// <summary>What a key may do; each scope is also the name of the authorization policy that requires it.</summary>
public static class ApiScopes
{
    /// <summary>Detection (POST /detect, /detect/batch, /detect/annotated) and model information (GET /model, GET /models*).</summary>
    public const string Detect = "detect";

    /// <summary>Model management (POST /models/{name}/reload); does not include <see cref="Detect"/>.</summary>
    public const string Admin = "admin";

    /// <summary>The claim type a key's scopes are carried in.</summary>
    public const string ClaimType = "scope";

    /// <summary>The policy of endpoints that any valid key may use (protected metrics and OpenAPI document).</summary>
    public const string AnyKeyPolicy = "any-key";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Detect, Admin };
}
