namespace CornerNet.Model.Data;

/// <summary>What loading does with an entry that breaks the format (the file's structure must always be sound).</summary>
public enum CocoMalformedEntryPolicy
{
    /// <summary>Throw a <see cref="CocoFormatException"/> naming the file and the entry.</summary>
    Stop,

    /// <summary>Leave the entry out and record why in the loaded object's skipped-entry list.</summary>
    SkipAndCount,
}
