namespace CornerNet.Model.Data;

/// <summary>How COCO annotation and results files are read.</summary>
public sealed class CocoLoadOptions
{
    public static CocoLoadOptions Default { get; } = new();

    public CocoMalformedEntryPolicy MalformedEntries { get; init; } = CocoMalformedEntryPolicy.Stop;
}
