namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>One detection of the authors' pipeline: 0-based class, score, [x1, y1, x2, y2] in image pixels.</summary>
public sealed record AuthorsDetection(int ClassIndex, float Score, float[] Bbox);
