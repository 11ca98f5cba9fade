namespace CornerNet.Service.Api;

/// <summary>A client error the API answers with an RFC 9457 problem document.</summary>
public sealed class ApiProblemException(int status, string title, string detail, TimeSpan? retryAfter = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>Sent as Retry-After (503 when busy or loading).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
