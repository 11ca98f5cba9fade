namespace CornerNet.Model.Data;

/// <summary>A COCO file that cannot be read; the message names the file and, where there is one, the entry.</summary>
public sealed class CocoFormatException : Exception
{
    public CocoFormatException(string file, string? entry, string problem, Exception? inner = null)
        : base(entry is null ? $"{file}: {problem}" : $"{file}: {entry}: {problem}", inner)
    {
        File = file;
        Entry = entry;
        Problem = problem;
    }

    public string File { get; }

    /// <summary>The entry at fault, e.g. "annotations[17] (id 42)", or null when the whole file is at fault.</summary>
    public string? Entry { get; }

    public string Problem { get; }
}
