using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace CornerNet.Model.Architecture;

/// <summary>
/// A convolution with the ReLU after it run as one oneDNN call (libtorch's <c>mkldnn::_convolution_pointwise</c> op,
/// the one PyTorch's compiler fuses to on CPU): the ReLU is applied while the output is still in cache instead of as a
/// separate memory-bound pass. TorchSharp has no binding for the op and TorchScript compiled from source cannot name
/// it, so a minimal TorchScript archive that calls it is written at first use and loaded with <c>torch.jit.load</c>.
/// Inference only (no autograd), CPU, fp32 or bf16, dense convolutions. <see cref="IsAvailable"/> is false on other
/// processors, or when the op disagrees with conv2d + relu (checked once on a small input; fp32 must be identical).
/// The residual add is not fused: oneDNN's binary-add post-op measured slower than the separate add here
/// (docs/performance-notes.md).
/// </summary>
public static class FusedConvolution
{
    // The archive torch.jit.save writes for a module with one method, its code naming the op the way serialized
    // TorchScript does (ops.NAMESPACE.NAME): the pickled module object, its (empty) constants, the format version.
    private const string Code = """
        class FusedConvolutionOps(Module):
          __parameters__ = []
          __buffers__ = []
          training : bool
          def forward(self: __torch__.FusedConvolutionOps,
            x: Tensor) -> Tensor:
            return x
          def conv_relu(self: __torch__.FusedConvolutionOps,
            x: Tensor,
            w: Tensor,
            b: Tensor,
            stride: int,
            padding: int) -> Tensor:
            return ops.mkldnn._convolution_pointwise(x, w, b, [padding, padding], [stride, stride], [1, 1], 1, "relu", annotate(List[Optional[number]], []), "")

        """;

    // pickle protocol 2: __torch__.FusedConvolutionOps() with state {"training": True}.
    private static readonly byte[] DataPickle =
    [
        0x80, 0x02, .."c__torch__\nFusedConvolutionOps\n"u8, 0x71, 0x00, 0x29, 0x81, 0x7d, 0x28,
        0x58, 0x08, 0x00, 0x00, 0x00, .."training"u8, 0x71, 0x01, 0x88, 0x75, 0x62, 0x71, 0x02, 0x2e,
    ];

    private static readonly byte[] ConstantsPickle = [0x80, 0x02, 0x29, 0x2e];

    private static readonly Lazy<jit.ScriptModule?> Module = new(LoadAndCheck);

    /// <summary>The reason fusion is off, when it is (for logs); null when <see cref="IsAvailable"/>.</summary>
    public static string? UnavailableReason { get; private set; }

    /// <summary>True when the fused op exists in this libtorch and agrees with the unfused ones.</summary>
    public static bool IsAvailable => Module.Value is not null;

    /// <summary>relu(conv(input) + bias).</summary>
    public static Tensor ConvRelu(Tensor input, Tensor weight, Tensor bias, long stride, long padding) =>
        (Tensor)Module.Value!.invoke("conv_relu", input, weight, bias, stride, padding);

    /// <summary>True when a call with these tensors can take the fused path.</summary>
    public static bool Applies(Tensor input, Tensor weight, Tensor? bias) =>
        bias is not null && input.device_type == TorchSharp.DeviceType.CPU && input.dtype == weight.dtype && bias.dtype == weight.dtype
        && input.dtype is ScalarType.Float32 or ScalarType.BFloat16 && !is_grad_enabled() && IsAvailable;

    /// <summary>The TorchScript archive (a zip) holding <see cref="Code"/>.</summary>
    public static byte[] Archive()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, ReadOnlySpan<byte> content)
            {
                using var entry = zip.CreateEntry($"ops/{name}", CompressionLevel.NoCompression).Open();
                entry.Write(content);
            }

            Add("data.pkl", DataPickle);
            Add("code/__torch__.py", Encoding.UTF8.GetBytes(Code.ReplaceLineEndings("\n")));
            Add("constants.pkl", ConstantsPickle);
            Add("version", "3\n"u8);
        }

        return buffer.ToArray();
    }

    private static jit.ScriptModule? LoadAndCheck()
    {
        // oneDNN (and the op) is in libtorch's x86-64 builds; elsewhere a failed compile would end the process.
        if (RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            UnavailableReason = $"no fused oneDNN convolutions on {RuntimeInformation.ProcessArchitecture}";
            return null;
        }

        var path = Path.Combine(Path.GetTempPath(), $"cornernet-fused-{Environment.ProcessId}-{Guid.NewGuid():N}.pt");
        jit.ScriptModule module;
        try
        {
            File.WriteAllBytes(path, Archive());
            module = jit.load(path);
        }
        catch (Exception e) when (e is ExternalException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            UnavailableReason = $"the fused oneDNN convolution op could not be loaded ({e.Message.Split('\n')[0]})";
            return null;
        }
        finally
        {
            File.Delete(path);
        }

        try
        {
            using var noGrad = inference_mode();
            using var scope = NewDisposeScope();
            var generator = new Generator(7);
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
            {
                var x = ChannelsLast.From(randn([2, 32, 9, 11], generator: generator).to(dtype));
                var w = (randn([32, 32, 3, 3], generator: generator) * 0.1).to(dtype);
                var b = randn([32], generator: generator).to(dtype);
                var expected = nn.functional.relu(nn.functional.conv2d(x, w, b, padding: [1, 1]));
                var fused = (Tensor)module.invoke("conv_relu", x, w, b, 1L, 1L);
                var same = dtype == ScalarType.Float32
                    ? fused.equal(expected).all().item<bool>()
                    : fused.to(ScalarType.Float32).allclose(expected.to(ScalarType.Float32), rtol: 2e-2, atol: 2e-2);
                if (!same || !ChannelsLast.Is(fused))
                {
                    UnavailableReason = $"the fused oneDNN convolution op disagrees with conv2d + relu ({dtype})";
                    module.Dispose();
                    return null;
                }
            }
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            UnavailableReason = $"the fused oneDNN convolution op failed ({e.Message.Split('\n')[0]})";
            module.Dispose();
            return null;
        }

        return module;
    }
}
