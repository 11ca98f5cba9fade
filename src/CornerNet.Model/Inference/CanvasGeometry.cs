namespace CornerNet.Model.Inference;

/// <summary>
/// Where one image lands at one test scale, exactly as the authors' test code places it: resized to
/// (int(h·s), int(w·s)), centred by crop_image in a zero canvas of (h' | 127, w' | 127), and seen by the
/// network through an output grid of ((H + 1) / stride, (W + 1) / stride): stride 4 for CornerNet's hourglass,
/// 8 for CornerNet-Squeeze.
/// </summary>
public readonly record struct CanvasGeometry
{
    /// <summary>Computes the placement of a <paramref name="height"/> × <paramref name="width"/> image at <paramref name="scale"/>
    /// for a network with the given output stride.</summary>
    public static CanvasGeometry For(int height, int width, double scale, int outputStride = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputStride, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        int resizedHeight = (int)(height * scale), resizedWidth = (int)(width * scale);
        if (resizedHeight < 1 || resizedWidth < 1)
        {
            throw new ArgumentException($"Scale {scale} shrinks a {width}x{height} image to nothing.");
        }

        int canvasHeight = resizedHeight | 127, canvasWidth = resizedWidth | 127;
        int centerY = resizedHeight / 2, centerX = resizedWidth / 2;

        // crop_image copies source rows [0, min(cy + H/2, h')): when h' is itself of the form k·128 - 1 this
        // drops the last row (and likewise the last column). Reproduced on purpose.
        int copiedHeight = Math.Min(centerY + canvasHeight / 2, resizedHeight);
        int copiedWidth = Math.Min(centerX + canvasWidth / 2, resizedWidth);
        int outputHeight = (canvasHeight + 1) / outputStride, outputWidth = (canvasWidth + 1) / outputStride;
        return new CanvasGeometry
        {
            Scale = scale,
            SourceHeight = height,
            SourceWidth = width,
            ResizedHeight = resizedHeight,
            ResizedWidth = resizedWidth,
            CanvasHeight = canvasHeight,
            CanvasWidth = canvasWidth,
            BorderTop = canvasHeight / 2 - centerY,
            BorderLeft = canvasWidth / 2 - centerX,
            CopiedHeight = copiedHeight,
            CopiedWidth = copiedWidth,
            OutputHeight = outputHeight,
            OutputWidth = outputWidth,
            // float32, as the authors store them.
            HeightRatio = (float)((double)outputHeight / canvasHeight),
            WidthRatio = (float)((double)outputWidth / canvasWidth),
        };
    }

    public double Scale { get; init; }

    public int SourceHeight { get; init; }

    public int SourceWidth { get; init; }

    public int ResizedHeight { get; init; }

    public int ResizedWidth { get; init; }

    public int CanvasHeight { get; init; }

    public int CanvasWidth { get; init; }

    /// <summary>Canvas row of the resized image's first row (the authors' border[0]).</summary>
    public int BorderTop { get; init; }

    /// <summary>Canvas column of the resized image's first column (the authors' border[2]).</summary>
    public int BorderLeft { get; init; }

    /// <summary>Rows of the resized image that crop_image copies (all but possibly the last).</summary>
    public int CopiedHeight { get; init; }

    /// <summary>Columns of the resized image that crop_image copies (all but possibly the last).</summary>
    public int CopiedWidth { get; init; }

    public int OutputHeight { get; init; }

    public int OutputWidth { get; init; }

    /// <summary>Output rows per canvas row, e.g. 128/511.</summary>
    public float HeightRatio { get; init; }

    /// <summary>Output columns per canvas column.</summary>
    public float WidthRatio { get; init; }
}
