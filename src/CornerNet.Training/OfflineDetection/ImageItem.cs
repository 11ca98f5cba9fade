namespace CornerNet.Training.OfflineDetection;

/// <summary>One image of a collection to detect on.</summary>
/// <param name="Index">Position in the whole collection (before sharding), in its sorted order.</param>
/// <param name="ImageId">The COCO image id the results give it.</param>
/// <param name="Name">The name it is reported under: its path relative to the folder, glob base or list file.</param>
/// <param name="Path">Where it is read from.</param>
public sealed record ImageItem(int Index, long ImageId, string Name, string Path);
