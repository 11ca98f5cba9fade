using System.Runtime.InteropServices;
using CornerNet.Model.Architecture;
using OpenCvSharp;

namespace CornerNet.Model.Training.Saccade;

/// <summary>
/// CornerNet-Saccade's training sampler (the authors' <c>cornernet_saccade</c> in core/sample/cornernet_saccade.py): the
/// image is scaled so that one object, drawn as the reference, gets a size of one of the attention maps' ranges, an
/// input-sized crop is taken around it (half the time centred on it, else anywhere that holds it), mirrored half the
/// time, colour-jittered, lit and normalised; the heatmaps learn from the objects that keep more than half their area
/// and are at least 16 px (the others' corners are left out of the loss), and each attention map marks the centres of
/// the objects of its size range. The steps are <see cref="SaccadeSampling"/>'s. Immutable and thread-safe.
/// </summary>
public sealed class SaccadeSampler : ITrainingSampler
{
    private readonly TrainingAugmenter _colour;
    private readonly CornerTargetBuilder _targets;
    private readonly int[] _strides;

    public SaccadeSampler(ArchitectureSpec spec, AugmentationOptions? augmentation = null, SaccadeSamplingOptions? options = null, CornerTargetOptions? targetOptions = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.AttentionMaps == 0) throw new ArgumentException($"{spec.Name} is a {spec.Family} network; the saccade sampler needs attention maps.", nameof(spec));
        Options = (options ?? new SaccadeSamplingOptions()).Validate(spec.AttentionMaps);
        _colour = new TrainingAugmenter(augmentation ?? AugmentationOptions.FromSpec(spec));
        _targets = new CornerTargetBuilder(spec.ClassCount, InputHeight, InputWidth, spec.OutputSize[0], spec.OutputSize[1],
            (targetOptions ?? new CornerTargetOptions()) with { GaussianMinOverlap = Options.GaussianMinOverlap });

        // One map per hourglass level, coarsest first: the output size halved (rounding up, as stride-2 convolutions do)
        // once per level below the finest, at the output stride times two per level (the authors' att_ratios 16, 8, 4).
        var maps = spec.AttentionMaps;
        var sizes = new (int Height, int Width)[maps];
        var (height, width) = (spec.OutputSize[0], spec.OutputSize[1]);
        _strides = new int[maps];
        for (var level = maps - 1; level >= 0; level--)
        {
            sizes[level] = (height, width);
            _strides[level] = spec.OutputStride << (maps - 1 - level);
            (height, width) = ((height + 1) / 2, (width + 1) / 2);
        }

        AttentionSizes = sizes;
    }

    public SaccadeSamplingOptions Options { get; }

    public int InputHeight => _colour.Options.InputHeight;

    public int InputWidth => _colour.Options.InputWidth;

    /// <summary>The attention maps' sizes, coarsest first (16x16, 32x32, 64x64 for the authors' 255x255 input).</summary>
    public IReadOnlyList<(int Height, int Width)> AttentionSizes { get; }

    /// <summary>Input pixels per attention cell, coarsest map first (16, 8, 4 for the authors' network).</summary>
    public IReadOnlyList<int> AttentionStrides => _strides;

    public TrainingSample Sample(ReadOnlySpan<byte> bgr, int width, int height, IReadOnlyList<TrainingBox> boxes, Random random)
    {
        var sample = Sample(bgr, width, height, boxes, new RandomDraws(random), random);
        return new TrainingSample(sample.Pixels, sample.Targets);
    }

    /// <summary>
    /// One sample, with the geometric draws from <paramref name="draws"/> (in the authors' order) and the colour draws
    /// from <paramref name="colour"/>. <paramref name="boxes"/> are in the image's pixels.
    /// </summary>
    public SaccadeSample Sample(ReadOnlySpan<byte> bgr, int width, int height, IReadOnlyList<TrainingBox> boxes, ISamplingDraws draws, Random colour)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(draws);
        ArgumentNullException.ThrowIfNull(colour);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (bgr.Length != (long)width * height * 3) throw new ArgumentException($"Expected {width} x {height} x 3 = {(long)width * height * 3} bytes, got {bgr.Length}.", nameof(bgr));

        // Objects clipped to the image; `original` remembers which input box each one is.
        var original = new List<int>();
        var inImage = CornerTargetBuilder.ClipToRegion(boxes, 0, height, 0, width, original);
        var reference = SaccadeSampling.ReferenceScale(inImage, draws);
        var scale = reference?.Scale ?? Options.RandomScales[draws.RandInt(0, Options.RandomScales.Length)];
        var (scaledHeight, scaledWidth) = SaccadeSampling.ScaledSize(height, width, scale);
        var scaled = SaccadeSampling.Scale(inImage, scale);

        var center = SaccadeSampling.CropCenter(scaledHeight, scaledWidth, reference is { } r ? scaled[r.Index] : null,
            InputHeight, InputWidth, Options.RandomCenter, Options.CenterJitter, draws);
        var window = SaccadeSampling.CropWindow(center, InputHeight, InputWidth, scaledHeight, scaledWidth);
        var inCropIndices = new List<int>();
        var inCrop = CornerTargetBuilder.ClipToRegion(SaccadeSampling.Shift(scaled, window.OffsetY, window.OffsetX),
            window.Top, window.Bottom, window.Left, window.Right, inCropIndices);

        var flipped = draws.Uniform() > 0.5;
        if (flipped) inCrop = SaccadeSampling.Flip(inCrop, InputWidth);

        var attention = SaccadeSampling.AttentionTargets(inCrop, AttentionSizes, _strides, Options.AttentionRanges);
        // The whole objects at the sample's scale (not clipped to the image) are what the visible areas are measured against.
        var originals = SaccadeSampling.Scale([.. inCropIndices.Select(i => boxes[original[i]])], scale);
        var ratios = SaccadeSampling.AreaRatios(inCrop, originals);
        var learnt = inCrop.Select((box, i) => SaccadeSampling.IsLearnt(box, ratios[i], Options.MinVisibleArea, Options.MinScale)).ToArray();

        var pixels = Render(bgr, width, height, scaledWidth, scaledHeight, window, flipped);
        _colour.ColourAndNormalise(pixels, colour);
        var targets = _targets.Build(
            [.. inCrop.Where((_, i) => learnt[i])], [.. inCrop.Where((_, i) => !learnt[i])], AttentionSizes, attention);
        return new SaccadeSample(pixels, targets, scale, reference?.Index, center, window, flipped, inCrop, learnt);
    }

    /// <summary>
    /// The crop's pixels as B, G, R planes on the 0..1 scale: the image resized as cv2.resize does (bilinear, bytes), the
    /// window's part copied into a zero canvas, mirrored if asked.
    /// </summary>
    internal float[] Render(ReadOnlySpan<byte> bgr, int width, int height, int scaledWidth, int scaledHeight, SaccadeCropWindow window, bool flipped)
    {
        var resized = Resize(bgr, width, height, scaledWidth, scaledHeight);
        var (inputHeight, inputWidth) = (InputHeight, InputWidth);
        var planeSize = inputHeight * inputWidth;
        var planes = new float[3 * planeSize];
        for (var y = 0; y < window.Height; y++)
        {
            var sourceRow = (window.SourceY + y) * scaledWidth;
            var targetRow = (window.Top + y) * inputWidth;
            for (var x = 0; x < window.Width; x++)
            {
                var source = (sourceRow + window.SourceX + x) * 3;
                var column = window.Left + x;
                var target = targetRow + (flipped ? inputWidth - 1 - column : column);
                for (var c = 0; c < 3; c++) planes[c * planeSize + target] = resized[source + c] / 255f;
            }
        }

        return planes;
    }

    private static byte[] Resize(ReadOnlySpan<byte> bgr, int width, int height, int scaledWidth, int scaledHeight)
    {
        var output = new byte[scaledWidth * scaledHeight * 3];
        var input = bgr.ToArray();
        var inputHandle = GCHandle.Alloc(input, GCHandleType.Pinned);
        var outputHandle = GCHandle.Alloc(output, GCHandleType.Pinned);
        try
        {
            using var source = Mat.FromPixelData(height, width, MatType.CV_8UC3, inputHandle.AddrOfPinnedObject());
            using var target = Mat.FromPixelData(scaledHeight, scaledWidth, MatType.CV_8UC3, outputHandle.AddrOfPinnedObject());
            Cv2.Resize(source, target, new Size(scaledWidth, scaledHeight), 0, 0, InterpolationFlags.Linear);
        }
        finally
        {
            inputHandle.Free();
            outputHandle.Free();
        }

        return output;
    }
}
