using System.ComponentModel.DataAnnotations;

namespace CornerNet.Service.Configuration;

/// <summary>Which network to serve. Relative paths are resolved against the content root.</summary>
public sealed class ModelOptions
{
    public const string Section = "Model";

    /// <summary>Architecture JSON file, or a preset name (hourglass104, tiny).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Architecture { get; set; } = string.Empty;

    /// <summary>PyTorch checkpoint (zip or legacy format).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Weights { get; set; } = string.Empty;

    /// <summary>auto (CUDA when TorchSharp sees it, else CPU), cpu, cuda or cuda:N.</summary>
    [Required]
    [RegularExpression("^(auto|cpu|cuda(:[0-9]+)?)$", ErrorMessage = "Model:Device must be auto, cpu, cuda or cuda:N.")]
    public string Device { get; set; } = "auto";
}
