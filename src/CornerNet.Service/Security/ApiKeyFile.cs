using System.Text.Json;
using CornerNet.Service.Configuration;

namespace CornerNet.Service.Security;

/// <summary>
/// The secrets file of ApiKeys:KeysFile: a JSON object with one array, the same fields as ApiKeys:Keys:
/// <code>
/// { "keys": [ { "name": "team-a", "sha256": "&lt;64 hex digits&gt;", "scopes": ["detect"], "requestsPerMinute": 600, "burst": 20 } ] }
/// </code>
/// Field names are case-insensitive; scopes default to detect, the rate and burst to RateLimits'.
/// </summary>
public static class ApiKeyFile
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private sealed class Contents
    {
        public List<ApiKeyEntry>? Keys { get; set; }
    }

    /// <summary>The keys of <paramref name="path"/>, or why they cannot be used (never quoting the file's text).</summary>
    public static (IReadOnlyList<ApiKeyEntry> Keys, IReadOnlyList<string> Problems) Read(string path)
    {
        List<ApiKeyEntry>? keys;
        try
        {
            keys = JsonSerializer.Deserialize<Contents>(File.ReadAllText(path), Json)?.Keys;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], [$"{ApiKeysOptions.Section}:KeysFile: '{path}' cannot be read ({e.GetType().Name})."]);
        }
        catch (JsonException e)
        {
            // The message names the position only; the file's text (which holds hashes) is not repeated.
            return ([], [$"{ApiKeysOptions.Section}:KeysFile: '{path}' is not valid JSON (line {e.LineNumber + 1})."]);
        }

        if (keys is null)
        {
            return ([], [$"{ApiKeysOptions.Section}:KeysFile: '{path}' has no \"keys\" array."]);
        }

        return (keys, ApiKeyEntry.Problems(keys, $"{ApiKeysOptions.Section}:KeysFile '{path}' keys").ToList());
    }
}
