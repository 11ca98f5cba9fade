using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>OpenTelemetry traces sent to a collector over OTLP; off while <see cref="OtlpEndpoint"/> is empty.</summary>
public sealed class TracingOptions : IValidatableObject
{
    public const string Section = "Tracing";

    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c> (grpc) or <c>http://otel-collector:4318</c>
    /// (http/protobuf; the service adds <c>/v1/traces</c>). Empty (the default): no tracing.</summary>
    public string OtlpEndpoint { get; set; } = string.Empty;

    /// <summary><c>grpc</c> or <c>http/protobuf</c>.</summary>
    [RegularExpression("^(grpc|http/protobuf)$", ErrorMessage = "Tracing:OtlpProtocol must be grpc or http/protobuf.")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The service.name resource attribute the spans carry.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Tracing:ServiceName must not be empty.")]
    public string ServiceName { get; set; } = "cornernet-detector";

    /// <summary>Fraction of new traces kept, 0..1; a trace started upstream (traceparent) follows the caller's choice.</summary>
    [Range(0.0, 1.0, ErrorMessage = "Tracing:SampleRatio must be between 0 and 1.")]
    public double SampleRatio { get; set; } = 1.0;

    public bool Enabled => OtlpEndpoint.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult($"Tracing:OtlpEndpoint: '{OtlpEndpoint}' is not an http or https address.");
        }
    }
}
