using System.Globalization;
using System.Text;

namespace CornerNet.Model.Checkpoints;

/// <summary>A state dict that does not fit the network: every problem is named in one message.</summary>
public sealed class CheckpointMismatchException : Exception
{
    public CheckpointMismatchException(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
        : base(Compose(missing, unexpected, shapeMismatches))
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    public IReadOnlyList<string> Missing { get; }

    public IReadOnlyList<string> Unexpected { get; }

    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string Compose(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
    {
        var message = new StringBuilder("The checkpoint does not match the architecture.");
        Append(message, "Missing keys", missing);
        Append(message, "Unexpected keys", unexpected);
        Append(message, "Shape mismatches", shapeMismatches);
        return message.ToString();
    }

    private static void Append(StringBuilder message, string title, IReadOnlyList<string> items)
    {
        if (items.Count > 0) message.Append(CultureInfo.InvariantCulture, $" {title} ({items.Count}): {string.Join(", ", items)}.");
    }
}
