using System.Net;

namespace CornerNet.Client;

/// <summary>The service answered with an error: its RFC 9457 problem document (or the bare status when it had none).</summary>
public sealed class CornerNetProblemException : Exception
{
    public CornerNetProblemException(HttpStatusCode status, string? type, string? title, string? detail, string? instance, TimeSpan? retryAfter)
        : base($"{(int)status} {title ?? status.ToString()}{(detail is null ? "" : $": {detail}")}")
    {
        Status = status;
        Type = type;
        Title = title;
        Detail = detail;
        Instance = instance;
        RetryAfter = retryAfter;
    }

    public HttpStatusCode Status { get; }

    /// <summary>The problem type URI.</summary>
    public string? Type { get; }

    public string? Title { get; }

    public string? Detail { get; }

    public string? Instance { get; }

    /// <summary>The Retry-After the service sent (503 and 429), if any.</summary>
    public TimeSpan? RetryAfter { get; }
}
