using System.Text.Json;

namespace CornerNet.Model.Data;

/// <summary>Applies the caller's <see cref="CocoMalformedEntryPolicy"/> to each malformed entry of one file.</summary>
internal sealed class CocoIssueCollector(string file, CocoMalformedEntryPolicy policy)
{
    private readonly List<CocoLoadIssue> _issues = [];

    public string File { get; } = file;

    public IReadOnlyList<CocoLoadIssue> Issues => _issues;

    public void Report(string entry, string problem)
    {
        if (policy == CocoMalformedEntryPolicy.Stop)
        {
            throw new CocoFormatException(File, entry, problem);
        }

        _issues.Add(new CocoLoadIssue(File, entry, problem));
    }

    /// <summary>Reads each element of an array, reporting (and leaving out) the ones whose reader throws.</summary>
    public List<(string Entry, T Value)> ReadEach<T>(JsonElement array, string arrayName, Func<JsonElement, T> read)
    {
        var values = new List<(string, T)>(array.GetArrayLength());
        int index = 0;
        foreach (var element in array.EnumerateArray())
        {
            string entry = CocoJson.EntryLabel(arrayName, index++, element);
            try
            {
                values.Add((entry, read(element)));
            }
            catch (CocoEntryProblemException problem)
            {
                Report(entry, problem.Message);
            }
        }

        return values;
    }
}
