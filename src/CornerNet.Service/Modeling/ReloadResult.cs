namespace CornerNet.Service.Modeling;

/// <summary>How a reload ended.</summary>
public enum ReloadOutcome
{
    /// <summary>New weights were loaded, warmed up and are served now.</summary>
    Reloaded,

    /// <summary>The weights file has the SHA-256 already served: nothing was done.</summary>
    Unchanged,

    /// <summary>The new file cannot be served (unreadable, not a checkpoint, keys or shapes that do not fit, non-finite
    /// weights); the old weights keep serving.</summary>
    Failed,

    /// <summary>Refused: another reload of the model is running, the model is not loaded yet, or the new files change
    /// what requests already queued rely on (classes, channel order); the old weights keep serving.</summary>
    Conflict,
}

/// <summary>A reload's outcome, the weights served before and after, and why when it failed.</summary>
public sealed record ReloadResult(ReloadOutcome Outcome, string? PreviousSha256, string? CurrentSha256, string? Reason = null)
{
    /// <summary>The <c>outcome</c> label of <c>cornernet_model_reloads_total</c>.</summary>
    public string Label => Outcome switch
    {
        ReloadOutcome.Reloaded => "reloaded",
        ReloadOutcome.Unchanged => "unchanged",
        _ => "failed",
    };
}
