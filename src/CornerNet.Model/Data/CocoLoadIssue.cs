namespace CornerNet.Model.Data;

/// <summary>A malformed entry that loading skipped: where it is and what is wrong with it.</summary>
public sealed record CocoLoadIssue(string File, string Entry, string Problem)
{
    public override string ToString() => $"{File}: {Entry}: {Problem}";
}
