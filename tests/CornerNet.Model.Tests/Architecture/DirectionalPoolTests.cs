using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Architecture;

public class DirectionalPoolTests
{
    [Theory]
    [InlineData(PoolDirection.Top)]
    [InlineData(PoolDirection.Left)]
    [InlineData(PoolDirection.Bottom)]
    [InlineData(PoolDirection.Right)]
    public void Values_and_gradients_match_a_naive_scan(PoolDirection direction)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(1234);
        var input = randn([2, 3, 5, 7], generator: generator).requires_grad_(true);
        var upstream = randn([2, 3, 5, 7], generator: generator);

        var output = DirectionalPool.Apply(input, direction);
        (output * upstream).sum().backward();

        var x = input.detach().data<float>().ToArray();
        var g = upstream.data<float>().ToArray();
        var (expected, expectedGrad) = NaivePool(x, g, 2, 3, 5, 7, direction);

        var actual = output.detach().data<float>().ToArray();
        var actualGrad = input.grad!.data<float>().ToArray();
        Assert.Equal(expected, actual);
        for (var i = 0; i < expectedGrad.Length; i++)
        {
            Assert.True(Math.Abs(expectedGrad[i] - actualGrad[i]) < 1e-5, $"gradient {i}: {expectedGrad[i]} vs {actualGrad[i]}");
        }
    }

    [Theory]
    [InlineData(PoolDirection.Top, false)]
    [InlineData(PoolDirection.Left, false)]
    [InlineData(PoolDirection.Bottom, false)]
    [InlineData(PoolDirection.Right, false)]
    [InlineData(PoolDirection.Top, true)]
    [InlineData(PoolDirection.Left, true)]
    [InlineData(PoolDirection.Bottom, true)]
    [InlineData(PoolDirection.Right, true)]
    public void Without_gradients_the_values_match_a_naive_scan_in_either_layout(PoolDirection direction, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new TorchSharp.torch.Generator(77);
        // Odd, non-power-of-two lengths (13, 19) exercise the last, partial pass of the log-step scan.
        var input = randn([2, 16, 13, 19], generator: generator);
        var x = input.data<float>().ToArray();
        var (expected, _) = NaivePool(x, new float[x.Length], 2, 16, 13, 19, direction);

        var output = DirectionalPool.Apply(channelsLast ? ChannelsLast.From(input) : input, direction);

        Assert.Equal(channelsLast, ChannelsLast.Is(output));
        Assert.Equal(expected, output.contiguous().data<float>().ToArray());
    }

    [Theory]
    [InlineData(PoolDirection.Top)]
    [InlineData(PoolDirection.Left)]
    [InlineData(PoolDirection.Bottom)]
    [InlineData(PoolDirection.Right)]
    public void A_channels_last_input_gives_a_channels_last_result_with_the_same_values_and_gradients(PoolDirection direction)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(99);
        var input = randn([2, 16, 6, 9], generator: generator);
        var upstream = randn([2, 16, 6, 9], generator: generator);
        var nchw = input.clone().requires_grad_(true);
        var channelsLast = ChannelsLast.From(input).detach().requires_grad_(true);

        var expected = DirectionalPool.Apply(nchw, direction);
        var actual = DirectionalPool.Apply(channelsLast, direction);
        (expected * upstream).sum().backward();
        (actual * upstream).sum().backward();

        Assert.True(ChannelsLast.Is(actual), $"strides [{string.Join(", ", actual.stride())}]");
        Assert.True(expected.eq(actual).all().item<bool>());
        Assert.True(nchw.grad!.allclose(channelsLast.grad!, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Top_pool_of_a_column_is_the_maximum_of_everything_below()
    {
        using var scope = NewDisposeScope();
        var column = tensor(new float[] { 1, 5, 2, 4, 3 }).view(1, 1, 5, 1);
        var pooled = DirectionalPool.Apply(column, PoolDirection.Top).data<float>().ToArray();
        Assert.Equal(new float[] { 5, 5, 4, 4, 3 }, pooled);
        var bottom = DirectionalPool.Apply(column, PoolDirection.Bottom).data<float>().ToArray();
        Assert.Equal(new float[] { 1, 5, 5, 5, 5 }, bottom);
    }

    /// <summary>Running maximum by plain loops; the gradient of each output goes to the input that supplied it.</summary>
    private static (float[] Values, float[] Gradient) NaivePool(float[] x, float[] upstream, int n, int c, int h, int w, PoolDirection direction)
    {
        var values = new float[x.Length];
        var gradient = new float[x.Length];
        int Index(int b, int ch, int row, int col) => ((b * c + ch) * h + row) * w + col;
        for (var b = 0; b < n; b++)
        for (var ch = 0; ch < c; ch++)
        for (var row = 0; row < h; row++)
        for (var col = 0; col < w; col++)
        {
            var (r0, r1, c0, c1) = direction switch
            {
                PoolDirection.Top => (row, h - 1, col, col),
                PoolDirection.Bottom => (0, row, col, col),
                PoolDirection.Left => (row, row, col, w - 1),
                _ => (row, row, 0, col),
            };
            var best = float.NegativeInfinity;
            var bestIndex = -1;
            for (var rr = r0; rr <= r1; rr++)
            for (var cc = c0; cc <= c1; cc++)
            {
                var v = x[Index(b, ch, rr, cc)];
                if (v > best) { best = v; bestIndex = Index(b, ch, rr, cc); }
            }

            values[Index(b, ch, row, col)] = best;
            gradient[bestIndex] += upstream[Index(b, ch, row, col)];
        }

        return (values, gradient);
    }
}
