namespace CornerNet.Model.Inference;

/// <summary>One detected object: class, confidence and box corners in the original image's pixels.</summary>
public sealed record Detection(int ClassIndex, string Label, float Score, float X1, float Y1, float X2, float Y2)
{
    public float[] Box => [X1, Y1, X2, Y2];
}
