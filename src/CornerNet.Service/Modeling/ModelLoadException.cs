namespace CornerNet.Service.Modeling;

/// <summary>The configured model cannot be served: a missing, unreadable or mismatched file, or an unusable device.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
