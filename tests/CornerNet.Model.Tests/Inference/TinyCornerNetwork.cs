using CornerNet.Model.Architecture;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Inference;

/// <summary>A small random convolutional stand-in for CornerNet with the same input/output geometry.</summary>
internal sealed class TinyCornerNetwork : nn.Module<Tensor, CornerHeads>
{
    [ComponentName(Name = "stem")]
    private readonly Conv2d _stem;
    [ComponentName(Name = "mix")]
    private readonly Conv2d _mix;
    [ComponentName(Name = "topLeftHeat")]
    private readonly Conv2d _topLeftHeat;
    [ComponentName(Name = "bottomRightHeat")]
    private readonly Conv2d _bottomRightHeat;
    [ComponentName(Name = "topLeftTag")]
    private readonly Conv2d _topLeftTag;
    [ComponentName(Name = "bottomRightTag")]
    private readonly Conv2d _bottomRightTag;
    [ComponentName(Name = "topLeftOffset")]
    private readonly Conv2d _topLeftOffset;
    [ComponentName(Name = "bottomRightOffset")]
    private readonly Conv2d _bottomRightOffset;

    public TinyCornerNetwork(int classes, long seed = 7) : base("tiny")
    {
        _stem = nn.Conv2d(3, 8, 3, stride: 4, padding: 1);
        _mix = nn.Conv2d(8, 8, 3, padding: 1);
        _topLeftHeat = nn.Conv2d(8, classes, 1);
        _bottomRightHeat = nn.Conv2d(8, classes, 1);
        _topLeftTag = nn.Conv2d(8, 1, 1);
        _bottomRightTag = nn.Conv2d(8, 1, 1);
        _topLeftOffset = nn.Conv2d(8, 2, 1);
        _bottomRightOffset = nn.Conv2d(8, 2, 1);
        RegisterComponents();

        // Seeded here rather than with torch.manual_seed: the torch generator is shared with tests running in parallel.
        var random = new Random((int)seed);
        using var noGrad = torch.no_grad();
        foreach (var parameter in parameters())
        {
            double bound = parameter.dim() > 1 ? 1 / Math.Sqrt(parameter.numel() / parameter.shape[0]) : 0.1;
            var values = Enumerable.Range(0, (int)parameter.numel()).Select(_ => (float)((random.NextDouble() * 2 - 1) * bound)).ToArray();
            using var source = torch.tensor(values).reshape(parameter.shape);
            parameter.copy_(source);
        }
    }

    public override CornerHeads forward(Tensor input)
    {
        var features = nn.functional.relu(_mix.forward(nn.functional.relu(_stem.forward(input))));

        // A ramp favouring top-left corners near the top-left and bottom-right corners near the bottom-right,
        // so that random weights still produce valid boxes.
        long height = features.shape[2], width = features.shape[3];
        var ramp = (torch.arange(height).view(height, 1) / height + torch.arange(width).view(1, width) / width) * 4;
        return new CornerHeads(
            _topLeftHeat.forward(features) * 8 - ramp, _bottomRightHeat.forward(features) * 8 + ramp - 8,
            _topLeftTag.forward(features) * 4, _bottomRightTag.forward(features) * 4,
            _topLeftOffset.forward(features), _bottomRightOffset.forward(features));
    }
}
