namespace CornerNet.Model.Inference;

/// <summary>
/// Bilinear resize of 8-bit, 3-channel interleaved pixels with the semantics of OpenCV's
/// <c>cv2.resize(..., INTER_LINEAR)</c> as the authors used it: half-pixel centres, edge clamping, 11-bit fixed
/// point weights and OpenCV's x86 rounding of the vertical pass. Produces one destination row at a time so the
/// preprocessor can normalise straight from it. One instance serves one (source, destination) size pair.
/// </summary>
public sealed class LinearResizer
{
    private const int CoefficientScale = 2048; // OpenCV's INTER_RESIZE_COEF_SCALE
    private const int Channels = 3;

    private readonly DecodedImage _source;
    private readonly int[] _sourceColumn;
    private readonly short[] _columnWeights;
    private readonly int[] _sourceRow;
    private readonly short[] _rowWeights;
    private readonly int[] _horizontalA;
    private readonly int[] _horizontalB;
    private int _cachedRowA = -1;
    private int _cachedRowB = -1;

    public LinearResizer(DecodedImage source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        _source = source;
        Width = width;
        Height = height;
        (_sourceColumn, _columnWeights) = Taps(source.Width, width, clampFraction: true);
        (_sourceRow, _rowWeights) = Taps(source.Height, height, clampFraction: false);
        _horizontalA = new int[width * Channels];
        _horizontalB = new int[width * Channels];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Resizes a whole image.</summary>
    public static DecodedImage Resize(DecodedImage source, int width, int height)
    {
        var resizer = new LinearResizer(source, width, height);
        var pixels = new byte[(long)width * height * Channels];
        for (int y = 0; y < height; y++)
        {
            resizer.ResizeRow(y, pixels.AsSpan(y * width * Channels, width * Channels));
        }

        return new DecodedImage(width, height, pixels);
    }

    /// <summary>Writes destination row <paramref name="y"/> (Width × 3 bytes) into <paramref name="destination"/>.</summary>
    public void ResizeRow(int y, Span<byte> destination)
    {
        int lastRow = _source.Height - 1;
        int rowA = Math.Clamp(_sourceRow[y], 0, lastRow);
        int rowB = Math.Clamp(_sourceRow[y] + 1, 0, lastRow);
        var a = Horizontal(rowA);
        var b = Horizontal(rowB);
        int weightA = _rowWeights[2 * y], weightB = _rowWeights[2 * y + 1];
        for (int i = 0; i < destination.Length; i++)
        {
            // OpenCV's SIMD path: (((a >> 4) * wa) >> 16) + (((b >> 4) * wb) >> 16), then +2 >> 2.
            int value = ((((a[i] >> 4) * weightA) >> 16) + (((b[i] >> 4) * weightB) >> 16) + 2) >> 2;
            destination[i] = (byte)Math.Clamp(value, 0, 255);
        }
    }

    private int[] Horizontal(int row)
    {
        if (row == _cachedRowA) return _horizontalA;
        if (row == _cachedRowB) return _horizontalB;

        // Rows advance monotonically, so the older of the two cached rows is the one to replace.
        var target = _cachedRowA < _cachedRowB ? _horizontalA : _horizontalB;
        if (ReferenceEquals(target, _horizontalA)) _cachedRowA = row; else _cachedRowB = row;
        var src = _source.Pixels.AsSpan(row * _source.Width * Channels, _source.Width * Channels);
        for (int x = 0; x < Width; x++)
        {
            int s = _sourceColumn[x] * Channels, w0 = _columnWeights[2 * x], w1 = _columnWeights[2 * x + 1], o = x * Channels;
            if (w1 == 0)
            {
                target[o] = src[s] * w0;
                target[o + 1] = src[s + 1] * w0;
                target[o + 2] = src[s + 2] * w0;
            }
            else
            {
                target[o] = src[s] * w0 + src[s + 3] * w1;
                target[o + 1] = src[s + 1] * w0 + src[s + 4] * w1;
                target[o + 2] = src[s + 2] * w0 + src[s + 5] * w1;
            }
        }

        return target;
    }

    /// <summary>First source index and the two fixed-point weights of every destination index.</summary>
    private static (int[] Index, short[] Weights) Taps(int sourceSize, int destinationSize, bool clampFraction)
    {
        var index = new int[destinationSize];
        var weights = new short[destinationSize * 2];
        double scale = 1.0 / ((double)destinationSize / sourceSize); // as OpenCV computes it
        for (int d = 0; d < destinationSize; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)MathF.Floor(f);
            f -= s;
            if (clampFraction)
            {
                // Columns: OpenCV clamps the tap and zeroes the fraction at both edges.
                if (s < 0) (s, f) = (0, 0f);
                if (s >= sourceSize - 1) (s, f) = (sourceSize - 1, 0f);
            }

            index[d] = s;
            weights[2 * d] = (short)MathF.Round((1f - f) * CoefficientScale, MidpointRounding.ToEven);
            weights[2 * d + 1] = (short)MathF.Round(f * CoefficientScale, MidpointRounding.ToEven);
        }

        return (index, weights);
    }
}
