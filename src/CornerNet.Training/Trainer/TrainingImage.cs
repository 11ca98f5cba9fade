using CornerNet.Model.Training;

namespace CornerNet.Training.Trainer;

/// <summary>One training image: its file, its size from the annotations and its non-crowd boxes (x1, y1, x2, y2 pixels).</summary>
public sealed record TrainingImage(long ImageId, string FilePath, int Width, int Height, IReadOnlyList<TrainingBox> Boxes);
