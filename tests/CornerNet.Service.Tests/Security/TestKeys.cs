using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace CornerNet.Service.Tests.Security;

/// <summary>API keys for tests, and the configuration that accepts them (by hash, as an operator configures them).</summary>
public static class TestKeys
{
    public const string Detect = "cnk_detect_7Qm2xW9pL4vR8sT1yB6nC3hJ5kD0fG";

    public const string AdminOnly = "cnk_admin_Z8cV1bN4mQ7wE2rT5yU9iO3pA6sD0fH";

    public const string Unknown = "cnk_unknown_K3jH6gF9dS2aP5oI8uY1tR4eW7qZ0x";

    public static string Sha256(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();

    /// <summary>Keys on, "team" holding <see cref="Detect"/> and "ops" holding <see cref="AdminOnly"/>.</summary>
    public static Dictionary<string, string?> Enabled(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ApiKeys:Enabled"] = "true",
            ["ApiKeys:Keys:0:Name"] = "team",
            ["ApiKeys:Keys:0:Sha256"] = Sha256(Detect),
            ["ApiKeys:Keys:0:Scopes:0"] = "detect",
            ["ApiKeys:Keys:1:Name"] = "ops",
            ["ApiKeys:Keys:1:Sha256"] = Sha256(AdminOnly),
            ["ApiKeys:Keys:1:Scopes:0"] = "admin",
        };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    public static HttpRequestMessage Bearer(HttpMethod method, string path, string key, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    public static HttpRequestMessage Header(HttpMethod method, string path, string key, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Api-Key", key);
        return request;
    }

    public static ByteArrayContent Png()
    {
        var content = new ByteArrayContent(TestImages.Png(32, 24));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }
}
