using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace CornerNet.Model.Tests;

/// <summary>Reads the little-endian float32, C-order .npy files that the fixture scripts write.</summary>
internal static partial class NpyFile
{
    public static Tensor ReadFloat32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
        {
            throw new InvalidDataException($"{path} is not a .npy file");
        }

        var major = bytes[6];
        var headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : (int)BitConverter.ToUInt32(bytes, 8);
        var headerStart = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        if (!header.Contains("'descr': '<f4'") || header.Contains("'fortran_order': True"))
        {
            throw new InvalidDataException($"{path}: only little-endian float32 in C order is supported ({header.Trim()})");
        }

        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse).ToArray();
        var data = new float[(bytes.Length - headerStart - headerLength) / 4];
        Buffer.BlockCopy(bytes, headerStart + headerLength, data, 0, data.Length * 4);
        return tensor(data).reshape(shape);
    }

    [GeneratedRegex(@"'shape': \(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
