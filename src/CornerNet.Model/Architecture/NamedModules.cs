using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>A container that only names its children (like a plain Python <c>nn.Module</c> holding attributes), so
/// that modules owned elsewhere can appear under the authors' nested state-dict names.</summary>
public sealed class NamedModules : nn.Module
{
    public NamedModules(params (string Name, nn.Module Module)[] children) : base(nameof(NamedModules))
    {
        foreach (var (name, module) in children) register_module(name, module);
    }
}
