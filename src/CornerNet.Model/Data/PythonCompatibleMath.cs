using System.Numerics;

namespace CornerNet.Model.Data;

/// <summary>
/// The few numeric behaviours of NumPy and Python that COCO evaluation results depend on to the last bit:
/// linspace thresholds, NumPy's pairwise summation in np.mean, and Python's "{:0.3f}" rounding.
/// </summary>
internal static class PythonCompatibleMath
{
    /// <summary>NumPy's np.spacing(1): the gap after 1.0, which pycocotools adds to precision denominators.</summary>
    public const double SpacingOfOne = 2.220446049250313e-16;

    // NumPy reduces contiguous data in buffers of this many elements, each summed pairwise.
    private const int ReductionBufferSize = 8192;
    private const int PairwiseBlockSize = 128;

    /// <summary>np.linspace(start, stop, count): i*step + start, with the last value set to stop exactly.</summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        var values = new double[count];
        double step = (stop - start) / (count - 1);
        for (int i = 0; i < count; i++)
        {
            values[i] = (i * step) + start;
        }

        values[^1] = stop;
        return values;
    }

    /// <summary>np.mean of a 1-D float64 array, summed the way NumPy sums it.</summary>
    public static double Mean(ReadOnlySpan<double> values)
    {
        double sum = 0.0;
        for (int start = 0; start < values.Length; start += ReductionBufferSize)
        {
            sum += PairwiseSum(values.Slice(start, Math.Min(ReductionBufferSize, values.Length - start)));
        }

        return sum / values.Length;
    }

    /// <summary>Python's format(value, "0.3f"): exact decimal value rounded half to even.</summary>
    public static string FormatThreeDecimals(double value)
    {
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
        }

        bool negative = double.IsNegative(value);
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponentBits = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        BigInteger mantissa = exponentBits == 0 ? fraction : fraction | (1L << 52);
        int exponent = (exponentBits == 0 ? 1 : exponentBits) - 1075;

        // |value| * 1000 = mantissa * 1000 * 2^exponent, rounded to an integer half to even.
        BigInteger scaled = mantissa * 1000;
        BigInteger thousandths;
        if (exponent >= 0)
        {
            thousandths = scaled << exponent;
        }
        else
        {
            BigInteger denominator = BigInteger.One << -exponent;
            thousandths = BigInteger.DivRem(scaled, denominator, out BigInteger remainder);
            int half = (remainder * 2).CompareTo(denominator);
            if (half > 0 || (half == 0 && !thousandths.IsEven))
            {
                thousandths += 1;
            }
        }

        BigInteger whole = BigInteger.DivRem(thousandths, 1000, out BigInteger thousandthsPart);
        return $"{(negative ? "-" : "")}{whole}.{(int)thousandthsPart:D3}";
    }

    private static double PairwiseSum(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n < 8)
        {
            double total = 0.0;
            foreach (double v in values)
            {
                total += v;
            }

            return total;
        }

        if (n <= PairwiseBlockSize)
        {
            Span<double> lanes = stackalloc double[8];
            values[..8].CopyTo(lanes);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int lane = 0; lane < 8; lane++)
                {
                    lanes[lane] += values[i + lane];
                }
            }

            double total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
            for (; i < n; i++)
            {
                total += values[i];
            }

            return total;
        }

        int half = n / 2;
        half -= half % 8;
        return PairwiseSum(values[..half]) + PairwiseSum(values[half..]);
    }
}
