using CornerNet.Model.Architecture;
using CornerNet.Tools.Common;

namespace CornerNet.Tools.Tests.Common;

public sealed class CommaSeparatedTests
{
    [Theory]
    [InlineData("1", new[] { 1 })]
    [InlineData("1,2,4", new[] { 1, 2, 4 })]
    [InlineData(" 2 , 3 ", new[] { 2, 3 })]
    [InlineData("4,4,1", new[] { 4, 1 })]
    public void Positive_integers_parse_from_a_comma_separated_list(string text, int[] expected)
    {
        Assert.Equal(expected, CommaSeparated.PositiveIntegers(text, "--batch"));
    }

    [Theory]
    [InlineData("0", "--batch: '0' is not a positive integer.")]
    [InlineData("1,x", "--batch: 'x' is not a positive integer.")]
    [InlineData("", "--batch: no value given.")]
    [InlineData("-2", "--batch: '-2' is not a positive integer.")]
    public void Invalid_integers_are_refused_naming_the_option_and_the_entry(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => CommaSeparated.PositiveIntegers(text, "--batch"));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("fp32", new[] { InferencePrecision.Fp32 })]
    [InlineData("bf16, FP32", new[] { InferencePrecision.Bf16, InferencePrecision.Fp32 })]
    public void Precisions_parse_from_a_comma_separated_list(string text, InferencePrecision[] expected)
    {
        Assert.Equal(expected, CommaSeparated.Precisions(text, "--precision"));
    }

    [Theory]
    [InlineData("fp16")]
    [InlineData("")]
    [InlineData("fp32,int8")]
    [InlineData("0")]
    public void Invalid_precisions_are_refused(string text)
    {
        var e = Assert.Throws<FormatException>(() => CommaSeparated.Precisions(text, "--precision"));
        Assert.StartsWith("--precision: ", e.Message);
    }
}
