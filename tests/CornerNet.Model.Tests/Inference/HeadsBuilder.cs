using CornerNet.Model.Architecture;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Inference;

/// <summary>Hand-built network outputs: every cell is background (sigmoid 0) until a corner is placed.</summary>
internal sealed class HeadsBuilder
{
    private const float Background = -1000f;
    private readonly int classes;
    private readonly int height;
    private readonly int width;
    private readonly float[] topLeftHeat;
    private readonly float[] bottomRightHeat;
    private readonly float[] topLeftTag;
    private readonly float[] bottomRightTag;
    private readonly float[] topLeftOffset;
    private readonly float[] bottomRightOffset;

    public HeadsBuilder(int batch, int classes, int height, int width)
    {
        Batch = batch;
        this.classes = classes;
        this.height = height;
        this.width = width;
        topLeftHeat = Enumerable.Repeat(Background, batch * classes * height * width).ToArray();
        bottomRightHeat = Enumerable.Repeat(Background, batch * classes * height * width).ToArray();
        topLeftTag = new float[batch * height * width];
        bottomRightTag = new float[batch * height * width];
        topLeftOffset = new float[batch * 2 * height * width];
        bottomRightOffset = new float[batch * 2 * height * width];
    }

    public int Batch { get; }

    public static float Logit(float probability) => MathF.Log(probability / (1 - probability));

    public HeadsBuilder TopLeft(int image, int cls, int x, int y, float score, float tag = 0, float dx = 0, float dy = 0)
    {
        Place(topLeftHeat, topLeftTag, topLeftOffset, image, cls, x, y, score, tag, dx, dy);
        return this;
    }

    public HeadsBuilder BottomRight(int image, int cls, int x, int y, float score, float tag = 0, float dx = 0, float dy = 0)
    {
        Place(bottomRightHeat, bottomRightTag, bottomRightOffset, image, cls, x, y, score, tag, dx, dy);
        return this;
    }

    public CornerHeads Build() => new(
        torch.tensor(topLeftHeat, [Batch, classes, height, width]),
        torch.tensor(bottomRightHeat, [Batch, classes, height, width]),
        torch.tensor(topLeftTag, [Batch, 1, height, width]),
        torch.tensor(bottomRightTag, [Batch, 1, height, width]),
        torch.tensor(topLeftOffset, [Batch, 2, height, width]),
        torch.tensor(bottomRightOffset, [Batch, 2, height, width]));

    private void Place(float[] heat, float[] tags, float[] offsets, int image, int cls, int x, int y, float score, float tag, float dx, float dy)
    {
        int cells = height * width, cell = y * width + x;
        heat[(image * classes + cls) * cells + cell] = Logit(score);
        tags[image * cells + cell] = tag;
        offsets[(image * 2) * cells + cell] = dx;
        offsets[(image * 2 + 1) * cells + cell] = dy;
    }
}
