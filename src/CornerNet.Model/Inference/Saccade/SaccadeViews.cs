namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// Step 1 of the saccade test procedure (the start of the authors' get_locs): the downsized views of the whole image,
/// as zoom locations at the image centre whose scale brings the longer side to each view size. The scales are float32,
/// as the authors' location array is: a view's crop side <c>int(255 / scale)</c> can be one pixel shorter than the
/// image's longer side (299 for a 300-pixel side at size 255).
/// </summary>
public static class SaccadeViews
{
    public static ZoomLocation[] For(int height, int width, IReadOnlyList<int> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        int longer = Math.Max(height, width);
        return [.. sizes.Select(size => new ZoomLocation(height / 2, width / 2, (float)((double)size / longer), 0))];
    }
}
