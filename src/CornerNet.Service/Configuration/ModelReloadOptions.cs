using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>Zero-downtime weight updates: watching each model's weights file (POST /models/{name}/reload works either way).</summary>
public sealed class ModelReloadOptions
{
    public const string Section = "ModelReload";

    /// <summary>Reload a model when its weights file changes on disk (a new SHA-256; a touch alone does nothing).</summary>
    public bool WatchFiles { get; set; } = true;

    /// <summary>Quiet time after the last change event before the file is read (a copy in progress raises many).</summary>
    [Range(0, 600_000)]
    public int DebounceMs { get; set; } = 1000;
}
