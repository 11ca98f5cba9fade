using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>Console log format.</summary>
public sealed class ServiceLoggingOptions
{
    public const string Section = "ServiceLogging";

    /// <summary>text (human-readable) or json (one compact JSON object per event, for log shippers).</summary>
    [RegularExpression("^(text|json)$", ErrorMessage = "ServiceLogging:Format must be text or json.")]
    public string Format { get; set; } = "text";
}
