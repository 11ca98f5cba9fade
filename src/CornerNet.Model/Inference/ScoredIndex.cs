namespace CornerNet.Model.Inference;

/// <summary>A value and its position in the array being ranked, as libtorch's CPU topk pairs them.</summary>
internal readonly record struct ScoredIndex(float Score, int Index);
