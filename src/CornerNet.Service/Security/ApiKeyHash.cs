using System.Security.Cryptography;
using System.Text;

namespace CornerNet.Service.Security;

/// <summary>Keys are known to the service only as the SHA-256 of their UTF-8 bytes.</summary>
public static class ApiKeyHash
{
    public static byte[] Of(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool IsHex(string? text) =>
        text is { Length: 64 } && text.All(char.IsAsciiHexDigit);

    public static byte[] FromHex(string hex) => Convert.FromHexString(hex);
}
