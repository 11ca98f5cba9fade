namespace CornerNet.Model.Inference;

/// <summary>The image is in a recognised format that is not on the decoder allow-list.</summary>
public sealed class UnsupportedImageFormatException(string formatName)
    : InvalidImageException($"Image format '{formatName}' is not accepted.")
{
    public string FormatName { get; } = formatName;
}
