using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Inference;

/// <summary>A fake network whose heads are scripted per batch element, sized (H+1)/4 × (W+1)/4 like CornerNet's.</summary>
internal sealed class ScriptedCornerNetwork(int classes, Action<int, HeadsBuilder> script) : nn.Module<Tensor, CornerHeads>("scripted")
{
    public List<long[]> InputShapes { get; } = [];

    public List<float[]> Inputs { get; } = [];

    public override CornerHeads forward(Tensor input)
    {
        InputShapes.Add(input.shape);
        Inputs.Add(input.data<float>().ToArray());
        int batch = (int)input.shape[0], height = (int)(input.shape[2] + 1) / 4, width = (int)(input.shape[3] + 1) / 4;
        var builder = new HeadsBuilder(batch, classes, height, width);
        for (int b = 0; b < batch; b++) script(b, builder);
        return builder.Build();
    }
}
