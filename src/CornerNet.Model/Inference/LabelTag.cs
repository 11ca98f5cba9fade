using OpenCvSharp;

namespace CornerNet.Model.Inference;

/// <summary>A label tag: its rectangle in image pixels and where and how its text is drawn.</summary>
public sealed record LabelTag(int ClassIndex, string Text, int Left, int Top, int Width, int Height, Point Origin, double FontScale, int Thickness);
