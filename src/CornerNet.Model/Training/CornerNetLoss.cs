using CornerNet.Model.Architecture;
using static TorchSharp.torch;

namespace CornerNet.Model.Training;

/// <summary>
/// The authors' <c>AELoss</c> with <c>_neg_loss</c>: focal loss on both heatmaps, pull/push on the embeddings and
/// smooth-L1 on the offsets, for every stack (intermediate supervision), summed and divided by the number of stacks.
/// Every term is computed on whole tensors, so it is differentiable end to end and needs no per-object loops.
/// </summary>
public sealed class CornerNetLoss
{
    /// <summary>The authors' guard in every denominator that can be zero.</summary>
    private const double DenominatorEpsilon = 1e-4;

    public CornerNetLoss(CornerNetLossOptions? options = null)
    {
        Options = (options ?? new CornerNetLossOptions()).Validate();
    }

    public CornerNetLossOptions Options { get; }

    /// <summary>
    /// The full loss over the heads of all stacks (first stack first), as <c>AELoss.forward</c>. For CornerNet-Saccade
    /// (<c>CornerNet_Saccade_Loss.forward</c>), <paramref name="attention"/> holds every stack's attention logits (per
    /// stack, one [B, 1, h, w] map per level, coarsest first) and <paramref name="targets"/> the attention targets and
    /// valid masks: the heatmaps' focal loss skips the cells the masks clear, and each level's attention focal loss,
    /// summed over stacks and divided by their number, is added before the whole is divided by the number of stacks.
    /// </summary>
    public CornerNetLossResult Compute(IReadOnlyList<CornerHeads> stacks, CornerTargets targets, IReadOnlyList<IReadOnlyList<Tensor>>? attention = null)
    {
        ArgumentNullException.ThrowIfNull(stacks);
        ArgumentNullException.ThrowIfNull(targets);
        if (stacks.Count == 0) throw new ArgumentException("Need the heads of at least one stack.", nameof(stacks));
        foreach (var heads in stacks) CheckShapes(heads, targets);
        CheckAttention(stacks.Count, attention, targets);

        using var scope = NewDisposeScope();
        var device = stacks[0].TopLeftHeat.device;
        Tensor focal = zeros(1, device: device), pull = zeros(1, device: device), push = zeros(1, device: device), offset = zeros(1, device: device);
        Tensor attentionLoss = zeros(1, device: device);
        double stackCount = stacks.Count;
        for (var level = 0; level < targets.Attention.Count && attention is not null; level++)
        {
            var levelLoss = zeros(1, device: device);
            foreach (var stackAttention in attention) levelLoss = levelLoss + Focal(stackAttention[level], targets.Attention[level]);
            attentionLoss = attentionLoss + levelLoss / stackCount;
        }

        foreach (var heads in stacks)
        {
            focal = focal + Focal(heads.TopLeftHeat, targets.TopLeftHeat, targets.TopLeftValid)
                          + Focal(heads.BottomRightHeat, targets.BottomRightHeat, targets.BottomRightValid);
            var (stackPull, stackPush) = Embedding(heads.TopLeftTag, heads.BottomRightTag, targets.TopLeftIndices, targets.BottomRightIndices, targets.Mask);
            pull = pull + stackPull;
            push = push + stackPush;
            offset = offset
                     + Offset(heads.TopLeftOffset, targets.TopLeftIndices, targets.TopLeftOffsets, targets.Mask)
                     + Offset(heads.BottomRightOffset, targets.BottomRightIndices, targets.BottomRightOffsets, targets.Mask);
        }

        focal = (focal / stackCount).squeeze();
        attentionLoss = (attentionLoss / stackCount).squeeze();
        pull = (pull * (Options.PullWeight / stackCount)).squeeze();
        push = (push * (Options.PushWeight / stackCount)).squeeze();
        offset = (offset * (Options.OffsetWeight / stackCount)).squeeze();
        var total = focal + attentionLoss + pull + push + offset;
        return new CornerNetLossResult(total, focal.detach(), pull.detach(), push.detach(), offset.detach())
        {
            Attention = attention is null ? null : attentionLoss.detach(),
        }.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The variant focal loss of one stack's heatmap logits [B, C, H, W] against the Gaussian ground truth, normalised
    /// by the number of positives (pixels where the ground truth is exactly 1) over the whole batch. With
    /// <paramref name="valid"/> (CornerNet-Saccade's <c>_focal_loss_mask</c>) each cell's term is multiplied by it; the
    /// positives are counted without it, as the authors count them.
    /// </summary>
    public Tensor Focal(Tensor logits, Tensor groundTruth, Tensor? valid = null)
    {
        using var scope = NewDisposeScope();
        var epsilon = Options.ProbabilityEpsilon;
        var prediction = logits.sigmoid().clamp(epsilon, 1 - epsilon);
        var positives = groundTruth.eq(1).to_type(ScalarType.Float32);
        var negatives = groundTruth.lt(1).to_type(ScalarType.Float32);
        var negativeWeights = (1 - groundTruth).pow(Options.FocalBeta);
        var positiveWeights = valid is null ? positives : positives * valid;
        if (valid is not null) negativeWeights = negativeWeights * valid;

        var positiveLoss = (prediction.log() * (1 - prediction).pow(Options.FocalAlpha) * positiveWeights).sum();
        var negativeLoss = ((1 - prediction).log() * prediction.pow(Options.FocalAlpha) * negativeWeights * negatives).sum();

        // The authors return -negative when there is no positive and -(positive + negative) / count otherwise; the
        // positive sum is zero exactly when the count is, so dividing by max(count, 1) is the same without a branch.
        var positiveCount = positives.sum().clamp_min(1);
        return (-(positiveLoss + negativeLoss) / positiveCount).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pull and push on the embeddings [B, 1, H, W] gathered at the ground-truth corners, as the authors' <c>_ae_loss</c>:
    /// per image, pull is divided by (N + 1e-4) and push by (N(N - 1) + 1e-4), with their diagonal correction.
    /// </summary>
    public (Tensor Pull, Tensor Push) Embedding(Tensor topLeftTags, Tensor bottomRightTags, Tensor topLeftIndices, Tensor bottomRightIndices, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var topLeft = GatherAt(topLeftTags, topLeftIndices).squeeze(-1);
        var bottomRight = GatherAt(bottomRightTags, bottomRightIndices).squeeze(-1);
        var valid = mask.to_type(ScalarType.Float32);
        var count = valid.sum(1, keepdim: true);

        var mean = (topLeft + bottomRight) / 2;
        var pull = ((((topLeft - mean).pow(2) + (bottomRight - mean).pow(2)) / (count + DenominatorEpsilon)) * valid).sum();

        // The authors sum over all valid pairs including i == j, whose term is relu(margin - 0) = margin; subtracting
        // margin / N from every one of the N² pairs cancels those N diagonal terms (up to the 1e-4 guards). With one
        // object this leaves a constant of about 1 (no gradient), exactly as in their code. Margin 1 is their code.
        var margin = Options.PushMargin;
        var pairs = valid.unsqueeze(1) * valid.unsqueeze(2);
        var count3 = count.unsqueeze(2);
        var pairCount = (count3 - 1) * count3;
        var distance = (mean.unsqueeze(1) - mean.unsqueeze(2)).abs();
        var hinge = nn.functional.relu(margin - distance);
        var push = (((hinge - margin / (count3 + DenominatorEpsilon)) / (pairCount + DenominatorEpsilon)) * pairs).sum();
        return (pull.MoveToOuterDisposeScope(), push.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Smooth-L1 (beta 1) between the offset map [B, 2, H, W] gathered at the corners and the ground-truth offsets
    /// [B, M, 2], summed over valid objects and divided by their count over the batch + 1e-4 (<c>_regr_loss</c>).
    /// </summary>
    public static Tensor Offset(Tensor offsetMap, Tensor indices, Tensor groundTruth, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var predicted = GatherAt(offsetMap, indices);
        var valid = mask.to_type(ScalarType.Float32);
        var perValue = nn.functional.smooth_l1_loss(predicted, groundTruth, nn.Reduction.None, beta: 1.0);
        var loss = (perValue * valid.unsqueeze(2)).sum() / (valid.sum() + DenominatorEpsilon);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Values of a map [B, K, H, W] at flat indices [B, M] (y * W + x), as [B, M, K].</summary>
    public static Tensor GatherAt(Tensor map, Tensor indices)
    {
        using var scope = NewDisposeScope();
        var batch = map.shape[0];
        var channels = map.shape[1];
        var flat = map.flatten(2);
        var expanded = indices.unsqueeze(1).expand(batch, channels, indices.shape[1]);
        return flat.gather(2, expanded).permute(0, 2, 1).MoveToOuterDisposeScope();
    }

    private static void CheckAttention(int stackCount, IReadOnlyList<IReadOnlyList<Tensor>>? attention, CornerTargets targets)
    {
        if (attention is null) return;
        if (attention.Count != stackCount) throw new ArgumentException($"Need the attention maps of every stack ({stackCount}), got {attention.Count}.", nameof(attention));
        foreach (var maps in attention)
        {
            if (maps.Count != targets.Attention.Count || maps.Zip(targets.Attention).Any(p => !p.First.shape.SequenceEqual(p.Second.shape)))
            {
                throw new ArgumentException($"Attention maps [{string.Join("; ", maps.Select(m => string.Join(", ", m.shape)))}] do not match the targets [{string.Join("; ", targets.Attention.Select(m => string.Join(", ", m.shape)))}].", nameof(attention));
            }
        }
    }

    private static void CheckShapes(CornerHeads heads, CornerTargets targets)
    {
        var heat = targets.TopLeftHeat.shape;
        if (!heads.TopLeftHeat.shape.SequenceEqual(heat) || !heads.BottomRightHeat.shape.SequenceEqual(heat))
        {
            throw new ArgumentException($"Heatmap heads [{string.Join(", ", heads.TopLeftHeat.shape)}] do not match the targets [{string.Join(", ", heat)}].");
        }

        long[] tagShape = [heat[0], 1, heat[2], heat[3]];
        long[] offsetShape = [heat[0], 2, heat[2], heat[3]];
        if (!heads.TopLeftTag.shape.SequenceEqual(tagShape) || !heads.BottomRightTag.shape.SequenceEqual(tagShape)
            || !heads.TopLeftOffset.shape.SequenceEqual(offsetShape) || !heads.BottomRightOffset.shape.SequenceEqual(offsetShape))
        {
            throw new ArgumentException("Tag heads must be [B, 1, H, W] and offset heads [B, 2, H, W] at the targets' resolution.");
        }
    }
}
