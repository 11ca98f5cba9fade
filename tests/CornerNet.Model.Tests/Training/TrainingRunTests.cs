using System.Globalization;
using CornerNet.Model.Architecture;
using CornerNet.Model.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Training;

public class TrainingRunTests(ITestOutputHelper output)
{
    /// <summary>A two-stack network small enough to train for a few steps in a test.</summary>
    private static readonly ArchitectureSpec Micro = new()
    {
        Name = "micro",
        Depth = 2,
        Stacks = 2,
        Dims = [16, 16, 24],
        Modules = [1, 1, 1],
        CnvDim = 16,
        StemDim = 16,
        PoolDim = 8,
        Classes = ["warm", "cool"],
        InputSize = [127, 127],
        OutputSize = [32, 32],
    };

    [Fact]
    public void Twenty_adam_steps_on_one_synthetic_image_lower_the_loss()
    {
        const int size = 127;
        var image = new byte[size * size * 3];
        image.AsSpan().Fill(30);
        FillRectangle(image, size, 10, 15, 60, 70, 200, 60, 40);
        FillRectangle(image, size, 70, 30, 115, 110, 40, 180, 220);
        TrainingBox[] boxes = [new(10, 15, 60, 70, 0), new(70, 30, 115, 110, 1)];

        var augmenter = new TrainingAugmenter(AugmentationOptions.FromSpec(Micro) with { RandomCrop = false });
        var sample = augmenter.Augment(image, size, size, boxes, seed: 11);
        Assert.Equal(2, sample.Boxes.Count);

        manual_seed(0);
        using var network = new CornerNetNetwork(Micro);
        network.train();
        using var input = tensor(sample.Pixels, [1, 3, size, size]);
        using var targets = CornerTargetBuilder.FromSpec(Micro).BuildBatch([sample.Boxes]);
        using var optimizer = optim.Adam(network.parameters(), lr: 2.5e-4);
        var loss = new CornerNetLoss();

        var history = new List<double>();
        for (var step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var heads = network.ForwardAllStacks(input);
            var result = loss.Compute(heads, targets);
            result.Total.backward();
            optimizer.step();
            history.Add(result.ToValues().Total);
        }

        output.WriteLine($"loss per step: {string.Join(", ", history.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}");
        Assert.All(history, v => Assert.True(double.IsFinite(v)));
        var first = history.Take(3).Average();
        var last = history.TakeLast(3).Average();
        Assert.True(last < first, $"loss did not fall: {string.Join(", ", history.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}");
    }

    private static void FillRectangle(byte[] image, int width, int x1, int y1, int x2, int y2, byte blue, byte green, byte red)
    {
        for (var y = y1; y <= y2; y++)
        for (var x = x1; x <= x2; x++)
        {
            var i = (y * width + x) * 3;
            (image[i], image[i + 1], image[i + 2]) = (blue, green, red);
        }
    }
}
