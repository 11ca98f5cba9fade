namespace CornerNet.Model.Training;

/// <summary>
/// A ground-truth box for training: corners in pixels (x1, y1 top-left; x2, y2 bottom-right, the authors' inclusive
/// pixel convention) and a zero-based class index (the authors' <c>category - 1</c>).
/// </summary>
public readonly record struct TrainingBox(float X1, float Y1, float X2, float Y2, int ClassIndex)
{
    public float Width => X2 - X1;

    public float Height => Y2 - Y1;
}
