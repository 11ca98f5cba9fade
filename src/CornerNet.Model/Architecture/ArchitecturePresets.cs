namespace CornerNet.Model.Architecture;

/// <summary>Named architectures.</summary>
public static class ArchitecturePresets
{
    /// <summary>The 80 COCO classes, in the order of the authors' contiguous category indices.</summary>
    public static readonly string[] CocoClasses =
    [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
        "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
        "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
        "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase",
        "scissors", "teddy bear", "hair drier", "toothbrush",
    ];

    /// <summary>Classes of the synthetic shapes data set that the tiny demo model is trained on.</summary>
    public static readonly string[] ShapeClasses = ["circle", "square", "triangle", "star"];

    /// <summary>The paper's network: Hourglass-104, two stacks, about 201 million parameters.</summary>
    public static ArchitectureSpec Hourglass104 { get; } = new()
    {
        Name = "hourglass104",
        Depth = 5,
        Stacks = 2,
        Dims = [256, 256, 384, 384, 384, 512],
        Modules = [2, 2, 2, 2, 2, 4],
        CnvDim = 256,
        StemDim = 128,
        PoolDim = 128,
        Classes = CocoClasses,
    };

    /// <summary>CornerNet-Squeeze (CornerNet-Lite): two stacks of fire-module hourglasses, about 31.8 million parameters.</summary>
    public static ArchitectureSpec Squeeze { get; } = new()
    {
        Name = "squeeze",
        Family = NetworkFamily.Squeeze,
        Depth = 4,
        Stacks = 2,
        Dims = [256, 256, 384, 384, 512],
        Modules = [2, 2, 2, 2, 4],
        CnvDim = 256,
        StemDim = 128,
        PoolDim = 128,
        Classes = CocoClasses,
    };

    /// <summary>CornerNet-Saccade (CornerNet-Lite): three stacks of 3-level residual hourglasses with attention heads,
    /// trained on 255x255 crops; about 117 million parameters.</summary>
    public static ArchitectureSpec Saccade { get; } = new()
    {
        Name = "saccade",
        Family = NetworkFamily.Saccade,
        Depth = 3,
        Stacks = 3,
        Dims = [256, 384, 384, 512],
        Modules = [1, 1, 1, 1],
        CnvDim = 256,
        StemDim = 128,
        PoolDim = 128,
        AttDim = 256,
        Classes = CocoClasses,
        InputSize = [255, 255],
        OutputSize = [64, 64],
    };

    /// <summary>A small two-stack network for tests and CPU training on the synthetic shapes.</summary>
    public static ArchitectureSpec Tiny { get; } = new()
    {
        Name = "tiny",
        Depth = 3,
        Stacks = 2,
        Dims = [64, 64, 96, 128],
        Modules = [1, 1, 1, 2],
        CnvDim = 64,
        StemDim = 32,
        PoolDim = 32,
        Classes = ShapeClasses,
        InputSize = [255, 255],
        OutputSize = [64, 64],
    };

    public static IReadOnlyDictionary<string, ArchitectureSpec> All { get; } =
        new Dictionary<string, ArchitectureSpec>(StringComparer.OrdinalIgnoreCase)
        {
            [Hourglass104.Name] = Hourglass104,
            [Tiny.Name] = Tiny,
            [Squeeze.Name] = Squeeze,
            [Saccade.Name] = Saccade,
        };

    public static bool TryGet(string name, out ArchitectureSpec spec) => All.TryGetValue(name, out spec!);
}
