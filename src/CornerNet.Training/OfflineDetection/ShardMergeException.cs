namespace CornerNet.Training.OfflineDetection;

/// <summary>A set of shard results files that cannot be merged into one run's results.</summary>
public sealed class ShardMergeException(string message) : Exception(message);
