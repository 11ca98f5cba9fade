using CornerNet.Model.Inference;

namespace CornerNet.Model.Tests.Inference;

public sealed class DetectorOptionsTests
{
    [Fact]
    public void Defaults_are_the_authors()
    {
        var o = new DetectorOptions().Validate();
        Assert.Equal((100, 0.5f, 1000, 3), (o.TopK, o.AeThreshold, o.NumDets, o.NmsKernel));
        Assert.Equal((NmsKind.Gaussian, 0.5f, 0.5f, 0.001f), (o.NmsKind, o.NmsThreshold, o.Sigma, o.ScoreFloor));
        Assert.Equal((false, 100, true), (o.MergeBoxes, o.MaxPerImage, o.Flip));
        Assert.Equal([1.0], o.TestScales);
        Assert.Equal([0.5, 0.75, 1.0, 1.25, 1.5], DetectorOptions.AuthorsMultiScale.TestScales);
        Assert.True(DetectorOptions.AuthorsMultiScale.MergeBoxes);
        Assert.Equal(10f, DetectorOptions.AuthorsMultiScale.WeightExp);
    }

    [Fact]
    public void Validation_names_every_problem()
    {
        var bad = new DetectorOptions { TopK = 10, NumDets = 101, NmsKernel = 2, TestScales = [], Sigma = 0 };
        var error = Assert.Throws<ArgumentException>(() => bad.Validate());
        Assert.Contains("NumDets", error.Message);
        Assert.Contains("NmsKernel", error.Message);
        Assert.Contains("TestScales", error.Message);
        Assert.Contains("Sigma", error.Message);
    }
}
