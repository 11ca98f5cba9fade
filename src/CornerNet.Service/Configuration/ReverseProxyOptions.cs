using System.ComponentModel.DataAnnotations;
using System.Net;

namespace CornerNet.Service.Configuration;

/// <summary>Which reverse proxies may tell the service the client's address, scheme, host and path prefix.</summary>
public sealed class ReverseProxyOptions : IValidatableObject
{
    public const string Section = "ReverseProxy";

    /// <summary>Proxy addresses whose X-Forwarded-* headers are honoured (loopback is always trusted).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. the compose network <c>172.28.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>A fixed path prefix the service is mounted under (e.g. <c>/cornernet</c>); proxies can instead send
    /// X-Forwarded-Prefix.</summary>
    [RegularExpression("^(/[^/]+)*$", ErrorMessage = "ReverseProxy:PathBase must be empty or start with '/' and not end with one.")]
    public string PathBase { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"ReverseProxy:KnownProxies: '{proxy}' is not an IP address.");
        }

        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"ReverseProxy:KnownNetworks: '{network}' is not a CIDR network.");
        }
    }
}
