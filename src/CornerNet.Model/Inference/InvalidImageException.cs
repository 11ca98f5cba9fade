namespace CornerNet.Model.Inference;

/// <summary>Base of the errors raised for an image the service cannot take; the subclasses say why.</summary>
public abstract class InvalidImageException : Exception
{
    protected InvalidImageException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
