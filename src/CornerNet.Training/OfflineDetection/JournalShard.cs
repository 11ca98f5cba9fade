namespace CornerNet.Training.OfflineDetection;

/// <summary>What a journal's header says of the run it belongs to, so that <c>merge</c> can check a set of shards.</summary>
/// <param name="Shard">Which part of the collection it holds.</param>
/// <param name="Images">Images in that part: the journal is finished when its batches hold this many.</param>
/// <param name="Run">The same for every shard of one run (weights, settings and the whole collection), else different.</param>
public sealed record JournalShard(Shard Shard, int Images, string Run);
