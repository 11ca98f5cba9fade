using CornerNet.Model.Checkpoints;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests.Checkpoints;

public class StateDictTests
{
    [Fact]
    public void Keeps_insertion_order_and_disposes_its_tensors()
    {
        var b = ones(1);
        var a = zeros(2);
        var state = new StateDict([new("b", b), new("a", a)]);

        Assert.Equal(["b", "a"], state.Keys);
        Assert.Same(a, state["a"]);
        Assert.True(state.TryGetValue("b", out var found) && ReferenceEquals(found, b));
        Assert.False(state.ContainsKey("c"));
        Assert.Throws<KeyNotFoundException>(() => state["c"]);

        state.Dispose();
        Assert.True(a.IsInvalid && b.IsInvalid);
    }

    [Fact]
    public void Refuses_duplicate_keys()
    {
        using var one = ones(1);
        Assert.Throws<ArgumentException>(() => new StateDict([new("x", one), new("x", one)]));
    }
}
