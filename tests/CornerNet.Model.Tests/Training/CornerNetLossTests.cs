using CornerNet.Model.Architecture;
using CornerNet.Model.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Training;

public class CornerNetLossTests
{
    private static readonly CornerNetLoss Loss = new();

    [Fact]
    public void Focal_loss_of_one_positive_on_a_3x3_map()
    {
        using var scope = NewDisposeScope();
        // Centre positive, edge neighbours 0.5, corners 0; all logits 0, so every prediction is 0.5.
        var groundTruth = tensor(new float[] { 0, 0.5f, 0, 0.5f, 1, 0.5f, 0, 0.5f, 0 }).view(1, 1, 3, 3);
        var logits = zeros(1, 1, 3, 3);

        var loss = Loss.Focal(logits, groundTruth).item<float>();

        // Positive: -log(0.5) (1 - 0.5)^2; each negative: -log(0.5) 0.5^2 (1 - g)^4; (1 - g)^4 sums to 4 * 1/16 + 4.
        var expected = 0.25 * Math.Log(2) * (1 + 4.25);
        Assert.Equal(0.9097556744849282, expected, 12);
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void Focal_loss_with_arbitrary_logits_matches_the_formula_and_clamps()
    {
        using var scope = NewDisposeScope();
        float[] gt = [0, 0.5f, 0.2f, 0.9f, 1, 0.7f, 0, 0, 1];
        float[] logits = [-3, 0.5f, 1, 2, 1.5f, -1, 20, -20, -0.5f];
        var loss = Loss.Focal(tensor(logits).view(1, 1, 3, 3), tensor(gt).view(1, 1, 3, 3)).item<float>();

        double positive = 0, negative = 0;
        var positives = 0;
        for (var i = 0; i < gt.Length; i++)
        {
            var p = Math.Clamp(1 / (1 + Math.Exp(-logits[i])), 1e-4, 1 - 1e-4);
            if (gt[i] == 1)
            {
                positive += Math.Log(p) * Math.Pow(1 - p, 2);
                positives++;
            }
            else
            {
                negative += Math.Log(1 - p) * Math.Pow(p, 2) * Math.Pow(1 - gt[i], 4);
            }
        }

        var expected = -(positive + negative) / positives;
        Assert.Equal(expected, loss, tolerance: 1e-4 * expected); // float32 against double

        Assert.True(float.IsFinite(loss));
    }

    [Fact]
    public void Focal_loss_without_positives_is_the_negative_term_alone()
    {
        using var scope = NewDisposeScope();
        var loss = Loss.Focal(zeros(1, 1, 3, 3), zeros(1, 1, 3, 3)).item<float>();
        Assert.Equal(9 * 0.25 * Math.Log(2), loss, 5);
    }

    [Fact]
    public void Pull_and_push_of_two_objects_with_known_tags()
    {
        using var scope = NewDisposeScope();
        // Object 1: tl 0.0 at index 0, br 0.4 at index 8 (mean 0.2). Object 2: tl 0.9 at index 2, br 0.5 at index 6 (mean 0.7).
        var topLeftTags = zeros(1, 1, 3, 3);
        var bottomRightTags = zeros(1, 1, 3, 3);
        topLeftTags[0, 0, 0, 0] = tensor(0.0f);
        topLeftTags[0, 0, 0, 2] = tensor(0.9f);
        bottomRightTags[0, 0, 2, 2] = tensor(0.4f);
        bottomRightTags[0, 0, 2, 0] = tensor(0.5f);
        var topLeftIndices = tensor(new long[] { 0, 2, 0, 0 }).view(1, 4);
        var bottomRightIndices = tensor(new long[] { 8, 6, 0, 0 }).view(1, 4);
        var mask = tensor(new[] { true, true, false, false }).view(1, 4);

        var (pull, push) = Loss.Embedding(topLeftTags, bottomRightTags, topLeftIndices, bottomRightIndices, mask);

        // Pull: (0.2^2 + 0.2^2) per object, over N + 1e-4.
        Assert.Equal(0.16 / 2.0001, pull.item<float>(), 6);
        // Push, the authors' way: all four valid pairs (diagonal included) of (relu(1 - |d|) - 1/(N + 1e-4)) / (N(N-1) + 1e-4).
        var authors = (1 + 1 + 0.5 + 0.5 - 4 / 2.0001) / (2 * 1 + 1e-4);
        Assert.Equal(authors, push.item<float>(), 5);
        // ... which is the paper's mean over ordered pairs i != j of max(0, 1 - |e_i - e_j|) up to the guards.
        Assert.Equal(0.5, push.item<float>(), 3);
    }

    [Fact]
    public void Push_of_a_single_object_is_the_authors_constant_of_about_one()
    {
        using var scope = NewDisposeScope();
        var tags = randn(1, 1, 3, 3).requires_grad_(true);
        var (pull, push) = Loss.Embedding(tags, tags, tensor(new long[] { 4, 0 }).view(1, 2), tensor(new long[] { 4, 0 }).view(1, 2), tensor(new[] { true, false }).view(1, 2));

        Assert.Equal(0f, pull.item<float>(), 6);
        Assert.Equal((1 - 1 / 1.0001) / 1e-4, push.item<float>(), 3);
        push.backward();
        Assert.Equal(0f, tags.grad!.abs().sum().item<float>(), 6);
    }

    [Fact]
    public void Offset_loss_is_smooth_l1_over_the_object_count()
    {
        using var scope = NewDisposeScope();
        var offsets = zeros(1, 2, 3, 3);
        offsets[0, 0, 1, 1] = tensor(0.3f);
        offsets[0, 1, 1, 1] = tensor(0.6f);
        offsets[0, 0, 0, 0] = tensor(5f); // unused slot's index: must not count
        var indices = tensor(new long[] { 4, 0 }).view(1, 2);
        var groundTruth = tensor(new float[] { 0.5f, 2.0f, 0, 0 }).view(1, 2, 2);
        var mask = tensor(new[] { true, false }).view(1, 2);

        var loss = CornerNetLoss.Offset(offsets, indices, groundTruth, mask).item<float>();

        // |0.3 - 0.5| = 0.2 < 1: 0.5 * 0.04; |0.6 - 2| = 1.4: 1.4 - 0.5.
        Assert.Equal((0.02 + 0.9) / 1.0001, loss, 5);
    }

    [Fact]
    public void Total_sums_the_weighted_parts_over_stacks_and_divides_by_the_stack_count()
    {
        using var scope = NewDisposeScope();
        var builder = new CornerTargetBuilder(2, 31, 31, 8, 8);
        using var targets = builder.BuildBatch([[new TrainingBox(2, 3, 20, 25, 0), new TrainingBox(10, 5, 29, 17, 1)], [new TrainingBox(0, 0, 30, 30, 1)]]);
        var generator = new Generator(7);
        var stacks = new[] { RandomHeads(generator), RandomHeads(generator) };

        using var result = Loss.Compute(stacks, targets);

        double focal = 0, pull = 0, push = 0, offset = 0;
        foreach (var h in stacks)
        {
            focal += Loss.Focal(h.TopLeftHeat, targets.TopLeftHeat).item<float>() + Loss.Focal(h.BottomRightHeat, targets.BottomRightHeat).item<float>();
            var (p, q) = Loss.Embedding(h.TopLeftTag, h.BottomRightTag, targets.TopLeftIndices, targets.BottomRightIndices, targets.Mask);
            pull += p.item<float>();
            push += q.item<float>();
            offset += CornerNetLoss.Offset(h.TopLeftOffset, targets.TopLeftIndices, targets.TopLeftOffsets, targets.Mask).item<float>()
                      + CornerNetLoss.Offset(h.BottomRightOffset, targets.BottomRightIndices, targets.BottomRightOffsets, targets.Mask).item<float>();
        }

        var values = result.ToValues();
        Assert.Equal(focal / 2, values.Focal, 4);
        Assert.Equal(0.1 * pull / 2, values.Pull, 5);
        Assert.Equal(0.1 * push / 2, values.Push, 5);
        Assert.Equal(offset / 2, values.Offset, 4);
        Assert.Equal(values.Focal + values.Pull + values.Push + values.Offset, values.Total, 4);
        Assert.Empty(result.Total.shape);
        Assert.False(result.Focal.requires_grad);
    }

    [Fact]
    public void Gradients_reach_every_head_and_no_tensor_leaks()
    {
        using var scope = NewDisposeScope();
        var builder = new CornerTargetBuilder(2, 31, 31, 8, 8);
        using var targets = builder.BuildBatch([[new TrainingBox(2, 3, 20, 25, 0), new TrainingBox(10, 5, 29, 17, 1)]]);
        var heads = RandomHeads(new Generator(3), batch: 1, requiresGrad: true);

        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var result = Loss.Compute([heads], targets))
        {
            result.Total.backward();
        }

        // Every transient of the loss (and the result) is gone; gradients live natively until read.
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        foreach (var tensor in heads.All)
        {
            Assert.NotNull(tensor.grad);
            Assert.True(tensor.grad!.abs().sum().item<float>() > 0);
            Assert.True(tensor.grad.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void Images_without_objects_give_the_negative_focal_term_only()
    {
        using var scope = NewDisposeScope();
        var builder = new CornerTargetBuilder(2, 31, 31, 8, 8);
        using var targets = builder.BuildBatch([[]]);
        var heads = RandomHeads(new Generator(5), batch: 1, requiresGrad: true);

        using var result = Loss.Compute([heads], targets);
        var values = result.ToValues();

        var expectedFocal = Loss.Focal(heads.TopLeftHeat, targets.TopLeftHeat).item<float>() + Loss.Focal(heads.BottomRightHeat, targets.BottomRightHeat).item<float>();
        Assert.Equal(expectedFocal, values.Focal, 4);
        Assert.True(values.Focal > 0);
        Assert.Equal(0, values.Pull);
        Assert.Equal(0, values.Push);
        Assert.Equal(0, values.Offset);
        result.Total.backward();
        Assert.True(heads.TopLeftHeat.grad!.isfinite().all().item<bool>());
    }

    private static CornerHeads RandomHeads(Generator generator, int batch = 2, bool requiresGrad = false) => new(
        randn([batch, 2, 8, 8], generator: generator).requires_grad_(requiresGrad),
        randn([batch, 2, 8, 8], generator: generator).requires_grad_(requiresGrad),
        randn([batch, 1, 8, 8], generator: generator).requires_grad_(requiresGrad),
        randn([batch, 1, 8, 8], generator: generator).requires_grad_(requiresGrad),
        rand([batch, 2, 8, 8], generator: generator).requires_grad_(requiresGrad),
        rand([batch, 2, 8, 8], generator: generator).requires_grad_(requiresGrad));
}
