using System.Text.Json;
using CornerNet.Model.Architecture;
using CornerNet.Model.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Training;

/// <summary>
/// CornerNet-Saccade's loss against the authors' <c>CornerNet_Saccade_Loss</c> (tests/fixtures/saccade-training, README
/// there): two stacks of random heads and attention logits on targets of their sampler, total and every part.
/// </summary>
public sealed class SaccadeLossTests(ITestOutputHelper output)
{
    private static readonly string[] HeadNames = ["tl_heat", "br_heat", "tl_tag", "br_tag", "tl_off", "br_off"];

    private static Tensor Npy(string name) => NpyFile.ReadFloat32(RepositoryPaths.Fixture("saccade-training", "loss", $"{name}.npy"));

    private static CornerTargets Targets(int levels) =>
        new(Npy("target_tl_heat"), Npy("target_br_heat"), Npy("target_tl_ind").to_type(ScalarType.Int64), Npy("target_br_ind").to_type(ScalarType.Int64),
            Npy("target_tl_off"), Npy("target_br_off"), Npy("target_mask").to_type(ScalarType.Bool))
        {
            TopLeftValid = Npy("target_tl_valid"),
            BottomRightValid = Npy("target_br_valid"),
            Attention = [.. Enumerable.Range(0, levels).Select(l => Npy($"target_attention{l}"))],
        };

    [Fact]
    public void The_loss_and_its_parts_are_the_authors()
    {
        using var scope = NewDisposeScope();
        var theirs = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("saccade-training", "loss.json"))).RootElement;
        var stacks = theirs.GetProperty("stacks").GetInt32();
        var levels = theirs.GetProperty("settings").GetProperty("att_sizes").GetArrayLength();
        var heads = Enumerable.Range(0, stacks).Select(s =>
        {
            var t = HeadNames.Select(n => Npy($"stack{s}_{n}")).ToArray();
            return new CornerHeads(t[0], t[1], t[2], t[3], t[4], t[5]);
        }).ToList();
        IReadOnlyList<IReadOnlyList<Tensor>> attention = [.. Enumerable.Range(0, stacks).Select(s => (IReadOnlyList<Tensor>)[.. Enumerable.Range(0, levels).Select(l => Npy($"stack{s}_attention{l}"))])];
        var targets = Targets(levels);
        Assert.Contains(0f, targets.TopLeftValid!.data<float>().ToArray()); // some corners are left out of the loss
        Assert.True(targets.Mask.sum().item<long>() >= 3);

        using var result = new CornerNetLoss().Compute(heads, targets, attention);
        var ours = result.ToValues();
        output.WriteLine($"ours: total {ours.Total:F6} focal {ours.Focal:F6} attention {ours.Attention:F6} pull {ours.Pull:F6} push {ours.Push:F6} offset {ours.Offset:F6}");
        output.WriteLine($"theirs: total {theirs.GetProperty("total").GetDouble():F6} focal {theirs.GetProperty("focal").GetDouble():F6} attention {theirs.GetProperty("attention").GetDouble():F6}");
        foreach (var (name, value) in new[] { ("total", ours.Total), ("focal", ours.Focal), ("attention", ours.Attention), ("pull", ours.Pull), ("push", ours.Push), ("offset", ours.Offset) })
        {
            var expected = theirs.GetProperty(name).GetDouble();
            Assert.True(Math.Abs(value - expected) <= 1e-5 + 1e-5 * Math.Abs(expected), $"{name}: ours {value}, theirs {expected}");
        }
    }

    [Fact]
    public void Without_valid_masks_and_attention_the_loss_is_cornernets()
    {
        using var scope = NewDisposeScope();
        var theirs = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("saccade-training", "loss.json"))).RootElement;
        var levels = theirs.GetProperty("settings").GetProperty("att_sizes").GetArrayLength();
        var t = HeadNames.Select(n => Npy($"stack0_{n}")).ToArray();
        var heads = new CornerHeads(t[0], t[1], t[2], t[3], t[4], t[5]);
        var full = Targets(levels);
        var plain = new CornerTargets(full.TopLeftHeat, full.BottomRightHeat, full.TopLeftIndices, full.BottomRightIndices, full.TopLeftOffsets, full.BottomRightOffsets, full.Mask);
        var loss = new CornerNetLoss();

        using var masked = loss.Compute([heads], full, [[.. Enumerable.Range(0, levels).Select(l => Npy($"stack0_attention{l}"))]]);
        using var unmasked = loss.Compute([heads], plain);
        Assert.Null(unmasked.Attention);
        Assert.NotEqual(masked.ToValues().Focal, unmasked.ToValues().Focal);
        Assert.Equal(masked.ToValues().Pull, unmasked.ToValues().Pull, 6);
        Assert.Equal(unmasked.ToValues().Focal + unmasked.ToValues().Pull + unmasked.ToValues().Push + unmasked.ToValues().Offset, unmasked.ToValues().Total, 4);
        Assert.Throws<ArgumentException>(() => loss.Compute([heads], full, [[Npy("stack0_attention0")]]));
    }
}
