namespace CornerNet.Model.Architecture;

/// <summary>Which of the authors' networks an architecture file describes.</summary>
public enum NetworkFamily
{
    /// <summary>CornerNet (princeton-vl/CornerNet): residual hourglasses, output stride 4, 3x3 heads.</summary>
    Hourglass,

    /// <summary>CornerNet-Squeeze (princeton-vl/CornerNet-Lite): fire-module hourglasses with transposed-convolution
    /// upsampling, a three-layer stem, output stride 8, 1x1 heads.</summary>
    Squeeze,

    /// <summary>CornerNet-Saccade (princeton-vl/CornerNet-Lite): residual hourglasses as CornerNet's (output stride 4,
    /// 3x3 heads) whose merge outputs also feed one attention head per level, for attention-guided crops.</summary>
    Saccade,
}
