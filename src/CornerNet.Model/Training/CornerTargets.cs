using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Training;

/// <summary>
/// A batch of ground truth as tensors, in the shapes of the authors' <c>ys</c>: heatmaps [B, C, H, W] (float32),
/// corner indices [B, M] (int64, y * W + x), offsets [B, M, 2] (float32, x first), mask [B, M] (bool).
/// </summary>
public sealed record CornerTargets(
    Tensor TopLeftHeat,
    Tensor BottomRightHeat,
    Tensor TopLeftIndices,
    Tensor BottomRightIndices,
    Tensor TopLeftOffsets,
    Tensor BottomRightOffsets,
    Tensor Mask) : IDisposable
{
    /// <summary>CornerNet-Saccade: [B, C, H, W] float32, 1 where the heatmap loss counts a cell (null: everywhere).</summary>
    public Tensor? TopLeftValid { get; init; }

    public Tensor? BottomRightValid { get; init; }

    /// <summary>CornerNet-Saccade: the attention targets, one [B, 1, h, w] float32 map per level, coarsest first (empty
    /// for the other families).</summary>
    public IReadOnlyList<Tensor> Attention { get; init; } = [];

    public IEnumerable<Tensor> All =>
    [
        TopLeftHeat, BottomRightHeat, TopLeftIndices, BottomRightIndices, TopLeftOffsets, BottomRightOffsets, Mask,
        .. new[] { TopLeftValid, BottomRightValid }.OfType<Tensor>(), .. Attention,
    ];

    /// <summary>Copies per-image arrays into batched tensors (on the CPU unless <paramref name="device"/> says otherwise).</summary>
    public static CornerTargets Stack(IReadOnlyList<ImageCornerTargets> images, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("A batch needs at least one image.", nameof(images));
        var first = images[0];
        if (images.Any(i => i.ClassCount != first.ClassCount || i.OutputHeight != first.OutputHeight || i.OutputWidth != first.OutputWidth || i.MaxObjects != first.MaxObjects
                            || (i.TopLeftValid is null) != (first.TopLeftValid is null) || !i.AttentionSizes.SequenceEqual(first.AttentionSizes)))
        {
            throw new ArgumentException("Every image in a batch needs the same classes, output size, object slots, valid masks and attention maps.", nameof(images));
        }

        long batch = images.Count;
        long classes = first.ClassCount, height = first.OutputHeight, width = first.OutputWidth, slots = first.MaxObjects;
        var targets = new CornerTargets(
            Concatenate(images, i => i.TopLeftHeat, [batch, classes, height, width]),
            Concatenate(images, i => i.BottomRightHeat, [batch, classes, height, width]),
            Concatenate(images, i => i.TopLeftIndices, [batch, slots]),
            Concatenate(images, i => i.BottomRightIndices, [batch, slots]),
            Concatenate(images, i => i.TopLeftOffsets, [batch, slots, 2]),
            Concatenate(images, i => i.BottomRightOffsets, [batch, slots, 2]),
            Concatenate(images, i => i.Mask, [batch, slots]))
        {
            TopLeftValid = first.TopLeftValid is null ? null : Concatenate(images, i => i.TopLeftValid!, [batch, classes, height, width]),
            BottomRightValid = first.BottomRightValid is null ? null : Concatenate(images, i => i.BottomRightValid!, [batch, classes, height, width]),
            Attention = [.. first.AttentionSizes.Select((size, level) => Concatenate(images, i => i.Attention[level], [batch, 1, size.Height, size.Width]))],
        };
        return device is null || device.type == DeviceType.CPU ? targets : targets.To(device);
    }

    /// <summary>A copy on another device; this instance is disposed.</summary>
    public CornerTargets To(Device device)
    {
        using (this)
        {
            return new CornerTargets(TopLeftHeat.to(device), BottomRightHeat.to(device), TopLeftIndices.to(device), BottomRightIndices.to(device),
                TopLeftOffsets.to(device), BottomRightOffsets.to(device), Mask.to(device))
            {
                TopLeftValid = TopLeftValid?.to(device),
                BottomRightValid = BottomRightValid?.to(device),
                Attention = [.. Attention.Select(a => a.to(device))],
            };
        }
    }

    /// <summary>Moves every tensor out of the current dispose scope (to the caller's).</summary>
    public CornerTargets MoveToOuterDisposeScope()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }

    private static Tensor Concatenate<T>(IReadOnlyList<ImageCornerTargets> images, Func<ImageCornerTargets, T[]> select, long[] shape)
        where T : unmanaged
    {
        var perImage = select(images[0]).Length;
        var all = new T[perImage * images.Count];
        for (var i = 0; i < images.Count; i++) select(images[i]).CopyTo(all, i * perImage);
        return CreateTensor(all, shape);
    }

    private static Tensor CreateTensor<T>(T[] values, long[] shape) where T : unmanaged => values switch
    {
        float[] f => tensor(f, shape),
        long[] l => tensor(l, shape),
        bool[] b => tensor(b, shape),
        _ => throw new NotSupportedException(typeof(T).Name),
    };
}
