namespace CornerNet.Benchmarks.AuthorsReference;

/// <summary>
/// Their detections matched by ours: same class, every corner coordinate within <see cref="PixelTolerance"/> pixels,
/// score within <see cref="ScoreTolerance"/>, each of ours used once. The shares are null when they have none.
/// </summary>
public sealed record AuthorsDetectionComparison(
    int Theirs, int Ours, int Matched, double? Share,
    int TheirsAsKept, int MatchedAsKept, double? ShareAsKept, int StaleRows,
    float PixelTolerance, float ScoreTolerance);
