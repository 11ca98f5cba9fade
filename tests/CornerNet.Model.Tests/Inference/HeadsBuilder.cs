using CornerNet.Model.Architecture;
using TorchSharp;

namespace CornerNet.Model.Tests.Inference;

/// <summary>Hand-built network outputs: every cell is background (sigmoid 0) until a corner is placed.</summary>
internal sealed class HeadsBuilder
{
    private const float Background = -1000f;
    private readonly int _classes;
    private readonly int _height;
    private readonly int _width;
    private readonly float[] _topLeftHeat;
    private readonly float[] _bottomRightHeat;
    private readonly float[] _topLeftTag;
    private readonly float[] _bottomRightTag;
    private readonly float[] _topLeftOffset;
    private readonly float[] _bottomRightOffset;

    public HeadsBuilder(int batch, int classes, int height, int width)
    {
        Batch = batch;
        _classes = classes;
        _height = height;
        _width = width;
        _topLeftHeat = Enumerable.Repeat(Background, batch * classes * height * width).ToArray();
        _bottomRightHeat = Enumerable.Repeat(Background, batch * classes * height * width).ToArray();
        _topLeftTag = new float[batch * height * width];
        _bottomRightTag = new float[batch * height * width];
        _topLeftOffset = new float[batch * 2 * height * width];
        _bottomRightOffset = new float[batch * 2 * height * width];
    }

    public int Batch { get; }

    public static float Logit(float probability) => MathF.Log(probability / (1 - probability));

    public HeadsBuilder TopLeft(int image, int cls, int x, int y, float score, float tag = 0, float dx = 0, float dy = 0)
    {
        Place(_topLeftHeat, _topLeftTag, _topLeftOffset, image, cls, x, y, score, tag, dx, dy);
        return this;
    }

    public HeadsBuilder BottomRight(int image, int cls, int x, int y, float score, float tag = 0, float dx = 0, float dy = 0)
    {
        Place(_bottomRightHeat, _bottomRightTag, _bottomRightOffset, image, cls, x, y, score, tag, dx, dy);
        return this;
    }

    public CornerHeads Build() => new(
        torch.tensor(_topLeftHeat, [Batch, _classes, _height, _width]),
        torch.tensor(_bottomRightHeat, [Batch, _classes, _height, _width]),
        torch.tensor(_topLeftTag, [Batch, 1, _height, _width]),
        torch.tensor(_bottomRightTag, [Batch, 1, _height, _width]),
        torch.tensor(_topLeftOffset, [Batch, 2, _height, _width]),
        torch.tensor(_bottomRightOffset, [Batch, 2, _height, _width]));

    private void Place(float[] heat, float[] tags, float[] offsets, int image, int cls, int x, int y, float score, float tag, float dx, float dy)
    {
        int cells = _height * _width, cell = y * _width + x;
        heat[(image * _classes + cls) * cells + cell] = Logit(score);
        tags[image * cells + cell] = tag;
        offsets[(image * 2) * cells + cell] = dx;
        offsets[(image * 2 + 1) * cells + cell] = dy;
    }
}
