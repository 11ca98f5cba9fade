using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// CornerNet: a stem, stacked hourglass modules with intermediate supervision, and per stack a top-left and a
/// bottom-right branch (corner pooling, then heatmap, embedding and offset heads). Submodules carry
/// the authors' state-dict names so that their checkpoints map one to one.
/// </summary>
public sealed class CornerNetNetwork : nn.Module<Tensor, CornerHeads>
{
    /// <summary>Initial heatmap bias: sigmoid(-2.19) ~ 0.1, so early training is not swamped by negatives.</summary>
    public const float HeatBiasInit = -2.19f;

    // The authors' two code bases name the same parts differently; the constructor registers each part under its
    // family's name, in its family's state-dict order (see RegisterHourglassNames / RegisterSqueezeNames).
    private readonly Sequential _stem;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _hourglasses;
    private readonly ModuleList<ConvBnRelu> _hourglassOutputs;
    private readonly ModuleList<CornerPoolModule> _topLeftPools;
    private readonly ModuleList<CornerPoolModule> _bottomRightPools;
    private readonly ModuleList<Sequential> _topLeftHeats;
    private readonly ModuleList<Sequential> _bottomRightHeats;
    private readonly ModuleList<Sequential> _topLeftTags;
    private readonly ModuleList<Sequential> _bottomRightTags;
    private readonly ModuleList<Residual> _intermediates;
    private readonly ModuleList<ConvBn> _intermediateSkips;
    private readonly ModuleList<ConvBn> _intermediateFromOutputs;
    private readonly ModuleList<Sequential> _topLeftOffsets;
    private readonly ModuleList<Sequential> _bottomRightOffsets;
    private readonly ModuleList<ModuleList<Sequential>> _attentions;

    public ArchitectureSpec Spec { get; }

    /// <summary>How <see cref="PrepareForInference"/> rewrote this network; null while it is as trained.</summary>
    public InferenceTuning? Tuning { get; private set; }

    public CornerNetNetwork(ArchitectureSpec spec) : base(nameof(CornerNetNetwork))
    {
        Spec = spec.Validate();
        var stacks = spec.Stacks;
        var dim = spec.Dims[0];
        var cnvDim = spec.CnvDim;
        var classes = spec.ClassCount;

        var squeeze = spec.Family == NetworkFamily.Squeeze;
        // Saccade's stem, hourglasses (saccade_module has kp_module's layers) and heads are CornerNet's.
        // Squeeze: one more stride-2 residual (output stride 8) and 1x1 instead of 3x3 head convolutions.
        _stem = squeeze
            ? nn.Sequential(new ConvBnRelu(7, 3, spec.StemDim, stride: 2), new Residual(spec.StemDim, dim, stride: 2), new Residual(dim, dim, stride: 2))
            : nn.Sequential(new ConvBnRelu(7, 3, spec.StemDim, stride: 2), new Residual(spec.StemDim, dim, stride: 2));
        var headKernel = squeeze ? 1 : 3;
        _hourglasses = Repeat<nn.Module<Tensor, Tensor>>(stacks, () => squeeze
            ? new SqueezeHourglassModule(spec.Depth, spec.Dims, spec.Modules)
            : new HourglassModule(spec.Depth, spec.Dims, spec.Modules));
        _hourglassOutputs = Repeat(stacks, () => new ConvBnRelu(3, dim, cnvDim));
        _topLeftPools = Repeat(stacks, () => CornerPoolModule.TopLeft(cnvDim, spec.PoolDim));
        _bottomRightPools = Repeat(stacks, () => CornerPoolModule.BottomRight(cnvDim, spec.PoolDim));
        _topLeftHeats = Repeat(stacks, () => Head(headKernel, cnvDim, dim, classes));
        _bottomRightHeats = Repeat(stacks, () => Head(headKernel, cnvDim, dim, classes));
        _topLeftTags = Repeat(stacks, () => Head(headKernel, cnvDim, dim, 1));
        _bottomRightTags = Repeat(stacks, () => Head(headKernel, cnvDim, dim, 1));
        _intermediates = Repeat(stacks - 1, () => new Residual(dim, dim));
        _intermediateSkips = Repeat(stacks - 1, () => new ConvBn(dim, dim));
        _intermediateFromOutputs = Repeat(stacks - 1, () => new ConvBn(cnvDim, dim));
        _topLeftOffsets = Repeat(stacks, () => Head(headKernel, cnvDim, dim, 2));
        _bottomRightOffsets = Repeat(stacks, () => Head(headKernel, cnvDim, dim, 2));
        // Saccade: per stack one attention head per hourglass level, reading that level's merge output (innermost,
        // i.e. coarsest and widest, first).
        _attentions = Repeat(spec.Family == NetworkFamily.Saccade ? stacks : 0, () =>
            Repeat(spec.AttentionMaps, level => Head(3, spec.Dims[spec.Depth - 1 - level], spec.AttDim, 1)));
        if (spec.Family == NetworkFamily.Hourglass) RegisterHourglassNames();
        else RegisterLiteNames();


        using (no_grad())
        {
            foreach (var heat in _topLeftHeats.Concat(_bottomRightHeats).Concat(_attentions.SelectMany(a => a)))
            {
                ((Conv2dLayer)heat[1]).Bias!.fill_(HeatBiasInit);
            }
        }
    }

    /// <summary>The keys of princeton-vl/CornerNet's <c>kp</c> model, in its order.</summary>
    private void RegisterHourglassNames()
    {
        register_module("pre", _stem);
        register_module("kps", _hourglasses);
        register_module("cnvs", _hourglassOutputs);
        register_module("tl_cnvs", _topLeftPools);
        register_module("br_cnvs", _bottomRightPools);
        register_module("tl_heats", _topLeftHeats);
        register_module("br_heats", _bottomRightHeats);
        register_module("tl_tags", _topLeftTags);
        register_module("br_tags", _bottomRightTags);
        register_module("inters", _intermediates);
        register_module("inters_", _intermediateSkips);
        register_module("cnvs_", _intermediateFromOutputs);
        register_module("tl_regrs", _topLeftOffsets);
        register_module("br_regrs", _bottomRightOffsets);
    }

    /// <summary>The keys of princeton-vl/CornerNet-Lite's <c>hg_net</c> (squeeze) and <c>saccade_net</c> (saccade, which
    /// adds <c>att_modules</c> last), the backbone under <c>hg</c>, in their order. Their checkpoints add <c>module.</c>
    /// in front (see <see cref="ArchitectureSpec.CheckpointKeyPrefix"/>).</summary>
    private void RegisterLiteNames()
    {
        register_module("hg", new NamedModules(
            ("pre", _stem), ("hgs", _hourglasses), ("cnvs", _hourglassOutputs),
            ("inters", _intermediates), ("inters_", _intermediateSkips), ("cnvs_", _intermediateFromOutputs)));
        register_module("tl_modules", _topLeftPools);
        register_module("br_modules", _bottomRightPools);
        register_module("tl_heats", _topLeftHeats);
        register_module("br_heats", _bottomRightHeats);
        register_module("tl_tags", _topLeftTags);
        register_module("br_tags", _bottomRightTags);
        register_module("tl_offs", _topLeftOffsets);
        register_module("br_offs", _bottomRightOffsets);
        if (Spec.Family == NetworkFamily.Saccade) register_module("att_modules", _attentions);
    }

    /// <summary>
    /// Rewrites the network for inference only, once, after its weights are loaded and it is on its device:
    /// evaluation mode, no gradients, and <paramref name="tuning"/>'s BatchNorm folding, memory layout and precision.
    /// <see cref="forward"/> still takes fp32 NCHW images and returns fp32 contiguous heads.
    /// </summary>
    public void PrepareForInference(InferenceTuning tuning)
    {
        ArgumentNullException.ThrowIfNull(tuning);
        if (Tuning is not null) throw new InvalidOperationException($"The network is already prepared for inference ({Tuning}).");
        eval();
        foreach (var parameter in parameters()) parameter.requires_grad = false;
        if (tuning.ReuseFreedMemory) HeapReuse.Enable();
        if (tuning.FoldBatchNorm)
        {
            foreach (var module in modules().OfType<IFoldsBatchNorm>()) module.FoldBatchNorm();
        }

        if (tuning.Precision == InferencePrecision.Bf16)
        {
            this.to(ScalarType.BFloat16);
            // The heads' last 1x1 convolutions are cheap; in fp32 they keep the logits, tags and offsets precise.
            foreach (var head in HeadsOfAllStacks()) ((Conv2dLayer)head[1]).to(ScalarType.Float32);
        }

        if (tuning.FuseConvolutions && tuning.FoldBatchNorm && FusedConvolution.IsAvailable)
        {
            foreach (var convolution in modules().OfType<Conv2dLayer>()) convolution.EnableFusion();
        }
        else if (tuning.FuseConvolutions)
        {
            // Recorded as it runs: fusion needs folded BatchNorms and the fused ops (FusedConvolution.UnavailableReason).
            tuning = tuning with { FuseConvolutions = false };
        }

        Tuning = tuning;
    }

    /// <summary>Inference: the last stack's heads only (earlier stacks' heads are training-time supervision). A saccade
    /// network skips its attention heads here (the authors' <c>no_att</c>).</summary>
    public override CornerHeads forward(Tensor images) => ForwardLastStack(images, withAttention: false).Heads;

    /// <summary>Saccade inference (the authors' test forward with attention): the last stack's heads and its attention
    /// maps after the sigmoid, one [batch, 1, h, w] map per hourglass level, coarsest first (for a 255x255 input of
    /// the authors' network: 16x16, 32x32, 64x64).</summary>
    public (CornerHeads Heads, IReadOnlyList<Tensor> Attention) ForwardWithAttention(Tensor images)
    {
        if (Spec.Family != NetworkFamily.Saccade) throw new InvalidOperationException($"Only a saccade network has attention heads ({Spec.Name} is {Spec.Family}).");
        return ForwardLastStack(images, withAttention: true);
    }

    private (CornerHeads Heads, IReadOnlyList<Tensor> Attention) ForwardLastStack(Tensor images, bool withAttention)
    {
        using var scope = NewDisposeScope();
        var input = images;
        if (Tuning?.Precision == InferencePrecision.Bf16) input = input.to(ScalarType.BFloat16);
        if (Tuning?.ChannelsLast == true) input = ChannelsLast.From(input);
        CornerHeads? heads = null;
        IReadOnlyList<Tensor> attention = [];
        var last = Spec.Stacks - 1;
        RunStacks(input, stack => withAttention && stack == last, (stack, features, merges) =>
        {
            if (stack != last) return;
            heads = Heads(stack, features);
            if (merges is not null) attention = [.. merges.Select((merge, level) => HeadForward(_attentions[stack][level], merge).sigmoid_())];
        });
        if (Tuning is not null)
        {
            heads = AsFloat32Contiguous(heads!);
            attention = [.. attention.Select(Float32Contiguous)];
        }

        foreach (var map in attention) map.MoveToOuterDisposeScope();
        return (heads!.MoveToOuterDisposeScope(), attention);
    }

    /// <summary>Training: every stack's heads, first stack first, as full maps.</summary>
    public IReadOnlyList<CornerHeads> ForwardAllStacks(Tensor images)
    {
        if (Tuning is not null) throw new InvalidOperationException("The network was prepared for inference and can no longer be trained.");
        using var scope = NewDisposeScope();
        var outputs = new List<CornerHeads>(Spec.Stacks);
        RunStacks(images, _ => false, (stack, features, _) => outputs.Add(Heads(stack, features)));
        foreach (var heads in outputs) heads.MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>CornerNet-Saccade training (the authors' <c>saccade_net._train</c>): every stack's heads and every stack's
    /// attention logits (before the sigmoid; per stack one [batch, 1, h, w] map per level, coarsest first), first stack first.</summary>
    public (IReadOnlyList<CornerHeads> Heads, IReadOnlyList<IReadOnlyList<Tensor>> Attention) ForwardAllStacksWithAttention(Tensor images)
    {
        if (Spec.Family != NetworkFamily.Saccade) throw new InvalidOperationException($"Only a saccade network has attention heads ({Spec.Name} is {Spec.Family}).");
        if (Tuning is not null) throw new InvalidOperationException("The network was prepared for inference and can no longer be trained.");
        using var scope = NewDisposeScope();
        var heads = new List<CornerHeads>(Spec.Stacks);
        var attention = new List<IReadOnlyList<Tensor>>(Spec.Stacks);
        RunStacks(images, _ => true, (stack, features, merges) =>
        {
            heads.Add(Heads(stack, features));
            attention.Add([.. merges!.Select((merge, level) => HeadForward(_attentions[stack][level], merge))]);
        });
        foreach (var stackHeads in heads) stackHeads.MoveToOuterDisposeScope();
        foreach (var map in attention.SelectMany(a => a)) map.MoveToOuterDisposeScope();
        return (heads, attention);
    }

    /// <summary>Number of trainable parameters (BatchNorm running statistics are buffers, not counted).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>Runs the stem and the hourglass stacks, handing each stack's output features to
    /// <paramref name="onStackOutput"/>, with the hourglass's merge outputs (coarsest first) for the stacks
    /// <paramref name="wantsMerges"/> picks (null for the others). Call inside a dispose scope.</summary>
    private void RunStacks(Tensor images, Predicate<int> wantsMerges, Action<int, Tensor, IReadOnlyList<Tensor>?> onStackOutput)
    {
        var inter = _stem.forward(images);
        for (var stack = 0; stack < Spec.Stacks; stack++)
        {
            var merges = wantsMerges(stack) ? new List<Tensor>() : null;
            var hourglass = merges is not null
                ? ((HourglassModule)_hourglasses[stack]).ForwardWithMerges(inter, merges)
                : _hourglasses[stack].forward(inter);
            var features = _hourglassOutputs[stack].forward(hourglass);
            onStackOutput(stack, features, merges);
            if (stack < Spec.Stacks - 1)
            {
                var merged = _intermediateSkips[stack].forward(inter).add_(_intermediateFromOutputs[stack].forward(features));
                inter = _intermediates[stack].forward(nn.functional.relu(merged, inplace: true));
            }
        }
    }

    private CornerHeads Heads(int stack, Tensor features)
    {
        var topLeft = _topLeftPools[stack].forward(features);
        var bottomRight = _bottomRightPools[stack].forward(features);
        return new CornerHeads(
            HeadForward(_topLeftHeats[stack], topLeft),
            HeadForward(_bottomRightHeats[stack], bottomRight),
            HeadForward(_topLeftTags[stack], topLeft),
            HeadForward(_bottomRightTags[stack], bottomRight),
            HeadForward(_topLeftOffsets[stack], topLeft),
            HeadForward(_bottomRightOffsets[stack], bottomRight));
    }

    /// <summary>A head's 3x3 conv-ReLU, then its 1x1 conv in the 1x1 conv's own precision (fp32 in a bf16 network).</summary>
    private static Tensor HeadForward(Sequential head, Tensor features)
    {
        var hidden = ((ConvBnRelu)head[0]).forward(features);
        var output = (Conv2dLayer)head[1];
        return output.forward(hidden.dtype == output.Weight.dtype ? hidden : hidden.to(output.Weight.dtype));
    }

    private IEnumerable<Sequential> HeadsOfAllStacks() =>
        _topLeftHeats.Concat(_bottomRightHeats).Concat(_topLeftTags).Concat(_bottomRightTags).Concat(_topLeftOffsets)
            .Concat(_bottomRightOffsets).Concat(_attentions.SelectMany(a => a));

    private static Tensor Float32Contiguous(Tensor t) => t.to(ScalarType.Float32).contiguous();

    private static CornerHeads AsFloat32Contiguous(CornerHeads heads) => new(
        Float32Contiguous(heads.TopLeftHeat), Float32Contiguous(heads.BottomRightHeat), Float32Contiguous(heads.TopLeftTag),
        Float32Contiguous(heads.BottomRightTag), Float32Contiguous(heads.TopLeftOffset), Float32Contiguous(heads.BottomRightOffset));

    /// <summary>k x k conv with bias and ReLU, then a 1x1 conv to the output channels (the authors' make_kp_layer with
    /// k = 3; CornerNet-Squeeze's _pred_mod with k = 1).</summary>
    private static Sequential Head(int kernel, int inChannels, int hiddenChannels, int outChannels) =>
        nn.Sequential(new ConvBnRelu(kernel, inChannels, hiddenChannels, withBatchNorm: false), new Conv2dLayer(hiddenChannels, outChannels, 1));

    private static ModuleList<T> Repeat<T>(int count, Func<T> create) where T : nn.Module => Repeat(count, _ => create());

    private static ModuleList<T> Repeat<T>(int count, Func<int, T> create) where T : nn.Module =>
        new(Enumerable.Range(0, count).Select(create).ToArray());
}
