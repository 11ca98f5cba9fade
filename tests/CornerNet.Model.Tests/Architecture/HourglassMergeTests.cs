using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Architecture;

public class HourglassMergeTests
{
    /// <summary>skip + nearest-neighbour x2 of low, element by element from the host copies, cropped to skip's size.</summary>
    private static float[] NaiveMerge(Tensor skip, Tensor low)
    {
        long b = skip.shape[0], c = skip.shape[1], h = skip.shape[2], w = skip.shape[3], lh = low.shape[2], lw = low.shape[3];
        var s = skip.contiguous().to(ScalarType.Float32).data<float>().ToArray();
        var l = low.contiguous().to(ScalarType.Float32).data<float>().ToArray();
        var result = new float[s.Length];
        for (long n = 0; n < b; n++)
            for (long k = 0; k < c; k++)
                for (long y = 0; y < h; y++)
                    for (long x = 0; x < w; x++)
                    {
                        long i = ((n * c + k) * h + y) * w + x;
                        result[i] = s[i] + l[((n * c + k) * lh + y / 2) * lw + x / 2];
                    }

        return result;
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Without_gradients_the_merge_adds_the_upsampled_low_branch_exactly_in_place(bool channelsLast, bool oddSkip)
    {
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var generator = new TorchSharp.torch.Generator(5);
        // An odd skip (7x9 under a 4x5 low branch) takes the upsample-and-crop path; an even one the in-place broadcast add.
        var skip = randn([2, 16, oddSkip ? 7 : 8, oddSkip ? 9 : 10], generator: generator);
        var low = randn([2, 16, 4, 5], generator: generator);
        if (channelsLast)
        {
            skip = ChannelsLast.From(skip);
            low = ChannelsLast.From(low);
        }

        var expected = NaiveMerge(skip, low);
        var merged = HourglassModule.Merge(skip, low);

        // fp32 sums of the same two values: equal bit for bit, written into the skip branch, in its layout.
        Assert.Equal(expected, merged.contiguous().data<float>().ToArray());
        Assert.Equal(expected, skip.contiguous().data<float>().ToArray());
        Assert.Equal(channelsLast, ChannelsLast.Is(merged));
    }

    [Fact]
    public void In_bf16_the_merge_equals_adding_the_upsampled_copy()
    {
        using var scope = NewDisposeScope();
        using var noGrad = inference_mode();
        var generator = new TorchSharp.torch.Generator(6);
        var skip = ChannelsLast.From(randn([1, 32, 12, 16], generator: generator).to(ScalarType.BFloat16));
        var low = ChannelsLast.From(randn([1, 32, 6, 8], generator: generator).to(ScalarType.BFloat16));
        var upsampled = low.repeat_interleave(2, 2).repeat_interleave(2, 3);
        var expected = (skip + upsampled).to(ScalarType.Float32).contiguous().data<float>().ToArray();

        var merged = HourglassModule.Merge(skip, low);

        Assert.Equal(expected, merged.to(ScalarType.Float32).contiguous().data<float>().ToArray());
    }

    [Fact]
    public void With_gradients_the_skip_branch_is_left_as_it_was()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var skip = randn([1, 4, 6, 6], generator: generator).requires_grad_(true);
        var low = randn([1, 4, 3, 3], generator: generator).requires_grad_(true);
        var before = skip.detach().clone().data<float>().ToArray();

        var merged = HourglassModule.Merge(skip, low);
        merged.sum().backward();

        Assert.Equal(before, skip.detach().data<float>().ToArray());
        Assert.Equal(NaiveMerge(skip.detach(), low.detach()), merged.detach().data<float>().ToArray());
        // Each low element feeds four outputs.
        Assert.All(low.grad!.data<float>().ToArray(), g => Assert.Equal(4f, g));
    }
}
