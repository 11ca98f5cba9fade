using System.ComponentModel.DataAnnotations;
using CornerNet.Service.Security;

namespace CornerNet.Service.Configuration;

/// <summary>
/// API keys (off by default). Only SHA-256 hashes of keys are configured, never the keys themselves: a leaked
/// configuration, secrets file, environment dump or log then gives no one a usable key, and since keys are long random
/// strings (not passwords) an unsalted fast hash is enough to make them unrecoverable.
/// </summary>
public sealed class ApiKeysOptions : IValidatableObject
{
    public const string Section = "ApiKeys";

    /// <summary>When false (the default) every endpoint is open, as before keys existed.</summary>
    public bool Enabled { get; set; }

    /// <summary>Keys given in configuration (<c>ApiKeys:Keys:0:Name</c>, ...), in addition to those of <see cref="KeysFile"/>.</summary>
    public List<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>A JSON file of keys (a mounted secret), read at start-up and again whenever it changes; the format is
    /// <see cref="ApiKeyFile"/>. Empty: none.</summary>
    public string KeysFile { get; set; } = string.Empty;

    /// <summary>When keys are enabled, /metrics needs a key too (any scope).</summary>
    public bool ProtectMetrics { get; set; }

    /// <summary>When keys are enabled, the OpenAPI document (/swagger/v1/swagger.json) needs a key too (any scope).</summary>
    public bool ProtectSwagger { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var problem in ApiKeyEntry.Problems(Keys, $"{Section}:Keys"))
        {
            yield return new ValidationResult(problem);
        }

        if (KeysFile.Length > 0 && !File.Exists(KeysFile))
        {
            yield return new ValidationResult($"{Section}:KeysFile: '{KeysFile}' does not exist.");
        }
        else if (KeysFile.Length > 0)
        {
            foreach (var problem in ApiKeyFile.Read(KeysFile).Problems)
            {
                yield return new ValidationResult(problem);
            }
        }

        if (Enabled && Keys.Count == 0 && KeysFile.Length == 0)
        {
            yield return new ValidationResult($"{Section}:Enabled is true but no keys are configured ({Section}:Keys or {Section}:KeysFile).");
        }
    }
}

/// <summary>One API key: who holds it, the SHA-256 of the key, what it may do and how often.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>Who holds the key (a team or client); appears in logs and traces instead of the key.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>SHA-256 of the key's UTF-8 bytes, 64 hexadecimal digits (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string Sha256 { get; set; } = string.Empty;

    /// <summary><c>detect</c> (detection and model information) and/or <c>admin</c> (model management); none listed
    /// means <c>detect</c>. (Empty by default: the configuration binder adds to a list, it does not replace it.)</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The scopes this key holds.</summary>
    public IReadOnlyList<string> EffectiveScopes => Scopes.Count == 0 ? [ApiScopes.Detect] : Scopes;

    /// <summary>This key's sustained rate; null takes RateLimits:RequestsPerMinute, 0 means unlimited.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Requests this key may send at once above its rate; null takes RateLimits:Burst.</summary>
    public int? Burst { get; set; }

    /// <summary>Every problem of a list of keys, each naming where it is (<paramref name="where"/>).</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<ApiKeyEntry> keys, string where)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            var at = $"{where}[{i}]";
            if (string.IsNullOrWhiteSpace(key.Name)) yield return $"{at}: Name is empty.";
            if (!ApiKeyHash.IsHex(key.Sha256)) yield return $"{at} ('{key.Name}'): Sha256 must be 64 hexadecimal digits (the SHA-256 of the key, not the key).";
            foreach (var scope in key.Scopes.Where(s => !ApiScopes.All.Contains(s)))
            {
                yield return $"{at} ('{key.Name}'): scope '{scope}' is not one of {string.Join(", ", ApiScopes.All)}.";
            }

            if (key.RequestsPerMinute is < 0) yield return $"{at} ('{key.Name}'): RequestsPerMinute must not be negative.";
            if (key.Burst is < 1) yield return $"{at} ('{key.Name}'): Burst must be at least 1.";
        }

        foreach (var name in keys.GroupBy(k => k.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            yield return $"{where}: the name '{name}' is used more than once.";
        }

        foreach (var name in keys.Where(k => ApiKeyHash.IsHex(k.Sha256)).GroupBy(k => k.Sha256, StringComparer.OrdinalIgnoreCase)
                     .Where(g => g.Count() > 1).Select(g => g.First().Name))
        {
            yield return $"{where}: the key of '{name}' is listed more than once.";
        }
    }
}
