namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// Step 4 of the saccade test procedure (the authors' rescale_dets_ and remap_dets_): decoded boxes of one view or crop
/// from output cells to image pixels: divided by the output-to-input ratio (float32), by the location's scale, plus
/// the crop's offset. A view's scale is float32 and divides in float32; a zoom crop's scale is a double (their
/// merged location array) and divides in double, rounded back to float32. Boxes are not clipped to the image.
/// </summary>
public static class SaccadeDetectionMapping
{
    public static void AddMapped(
        ReadOnlySpan<CornerDetection> decoded, float outputRatio, ZoomLocation location, (float Y, float X) offset,
        bool isView, float minScore, List<CornerDetection> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        foreach (ref readonly var box in decoded)
        {
            if (!(box.Score > minScore)) continue;
            into.Add(box with
            {
                X1 = Map(box.X1, outputRatio, location.Scale, offset.X, isView),
                Y1 = Map(box.Y1, outputRatio, location.Scale, offset.Y, isView),
                X2 = Map(box.X2, outputRatio, location.Scale, offset.X, isView),
                Y2 = Map(box.Y2, outputRatio, location.Scale, offset.Y, isView),
            });
        }
    }

    private static float Map(float value, float outputRatio, double scale, float offset, bool isView)
    {
        float input = value / outputRatio;
        float image = isView ? input / (float)scale : (float)(input / scale);
        return image + offset;
    }
}
