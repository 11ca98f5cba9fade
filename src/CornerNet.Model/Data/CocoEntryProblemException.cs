namespace CornerNet.Model.Data;

/// <summary>Thrown inside the COCO readers when one entry is malformed; turned into a skip or a <see cref="CocoFormatException"/>.</summary>
internal sealed class CocoEntryProblemException(string problem) : Exception(problem);
