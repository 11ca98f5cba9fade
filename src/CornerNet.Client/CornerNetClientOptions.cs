namespace CornerNet.Client;

/// <summary>The client's API key, and how it retries answers that ask for it (503 Service Unavailable, 429 Too Many
/// Requests).</summary>
public sealed record CornerNetClientOptions
{
    /// <summary>Sent as <c>X-Api-Key</c> with every request when set (services with ApiKeys:Enabled need one).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Retries after the first attempt; 0 turns retrying off.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Wait when the answer has no Retry-After header.</summary>
    public TimeSpan DefaultRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for one retry; an answer asking for more is not retried but thrown.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}
