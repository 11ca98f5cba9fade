using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// Step 2 of the saccade test procedure (the authors' att_nms and decode_atts): in each attention map of each view,
/// the cells that are the maximum of their k x k neighbourhood and exceed the threshold become zoom locations, in
/// image pixels (cell * map stride / view scale + view offset), kept only inside the image, with the scale
/// <c>map's zoom factor * view scale</c>; views zoomed in more than 2x, and locations that would be zoomed more than
/// 4x, propose nothing. Order: view, then map (coarsest first), then cell in row-major order.
/// </summary>
public static class AttentionDecoder
{
    /// <param name="attention">Per map, [views, 1, h, w] float32 attention values (after the sigmoid).</param>
    /// <param name="views">The views' locations (their scales).</param>
    /// <param name="offsets">The views' crop offsets.</param>
    /// <param name="mapStrides">Input pixels per cell of each map (16, 8, 4 for a 255x255 input).</param>
    public static List<ZoomLocation> Decode(
        IReadOnlyList<Tensor> attention, IReadOnlyList<ZoomLocation> views, IReadOnlyList<(float Y, float X)> offsets,
        IReadOnlyList<int> mapStrides, int imageHeight, int imageWidth, SaccadeOptions options)
    {
        ArgumentNullException.ThrowIfNull(attention);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(mapStrides);
        ArgumentNullException.ThrowIfNull(options);
        var maps = attention.Select(a => Peaks(a, options.AttentionNmsKernel)).ToArray();
        var locations = new List<ZoomLocation>();
        float threshold = options.AttentionThreshold;
        for (int view = 0; view < views.Count; view++)
        {
            double viewScale = views[view].Scale;
            for (int m = 0; m < maps.Length; m++)
            {
                var (values, height, width) = maps[m];
                double nextScale = options.AttentionScales[m] * viewScale;
                if (viewScale > 2 || nextScale > 4) continue;
                var cells = values.AsSpan(view * height * width, height * width);
                for (int cell = 0; cell < cells.Length; cell++)
                {
                    if (!(cells[cell] > threshold)) continue;
                    int row = cell / width, column = cell % width;
                    double y = (double)row * mapStrides[m] / viewScale + offsets[view].Y;
                    double x = (double)column * mapStrides[m] / viewScale + offsets[view].X;
                    if (y >= 0 && y < imageHeight && x >= 0 && x < imageWidth)
                    {
                        locations.Add(new ZoomLocation(y, x, nextScale, cells[cell]));
                    }
                }
            }
        }

        return locations;
    }

    /// <summary>att_nms: a cell keeps its value only where it equals its neighbourhood's maximum, else 0.</summary>
    private static (float[] Values, int Height, int Width) Peaks(Tensor map, int kernel)
    {
        using var scope = NewDisposeScope();
        var values = map.to(ScalarType.Float32).contiguous();
        if (kernel > 1)
        {
            var pooled = nn.functional.max_pool2d(values, kernel, stride: 1, padding: (kernel - 1) / 2);
            values = values * pooled.eq(values).to(ScalarType.Float32);
        }

        var host = values.cpu().contiguous();
        return (MemoryMarshal.Cast<byte, float>(host.bytes).ToArray(), (int)map.shape[2], (int)map.shape[3]);
    }
}
