using TorchSharp;
using static TorchSharp.torch;

namespace CornerNet.Service.Modeling;

/// <summary>Turns Model:Device (auto, cpu, cuda, cuda:N) into a TorchSharp device.</summary>
public static class DeviceSelector
{
    public static Device Select(string configured)
    {
        if (configured == "auto")
        {
            return cuda.is_available() ? CUDA : CPU;
        }

        if (configured == "cpu")
        {
            return CPU;
        }

        if (!cuda.is_available())
        {
            throw new ModelLoadException($"Model:Device is '{configured}' but TorchSharp sees no CUDA device (is this a CPU build?).");
        }

        var index = configured == "cuda" ? 0 : int.Parse(configured["cuda:".Length..]);
        var count = cuda.device_count();
        if (index >= count)
        {
            throw new ModelLoadException($"Model:Device is '{configured}' but only {count} CUDA device(s) exist.");
        }

        return new Device(DeviceType.CUDA, index);
    }
}
