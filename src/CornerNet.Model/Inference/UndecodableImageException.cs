namespace CornerNet.Model.Inference;

/// <summary>The bytes are not an image, or an image in an accepted format that is corrupt or truncated.</summary>
public sealed class UndecodableImageException(string message, Exception? inner = null) : InvalidImageException(message, inner);
