using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using CornerNet.Model.Inference;
using Xunit.Abstractions;

namespace CornerNet.Model.Tests.Inference;

/// <summary>
/// Every file of tests/fixtures/decoding (JPEG in all its encodings, PNG, BMP, WebP, made with Debian's tools by
/// make_decoding_corpus.py) decodes to exactly the bytes Debian's <c>cv2.imread(path, cv2.IMREAD_COLOR)</c> gave.
/// </summary>
public sealed class OpenCvDecodingCorpusTests(ITestOutputHelper output)
{
    private static readonly ImageLoader Loader = new();

    private static readonly Lazy<JsonElement> Expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Fixture("decoding", "expected.json"))).RootElement);

    private static readonly Lazy<byte[]> ExpectedPixels = new(() =>
    {
        using var gzip = new GZipStream(File.OpenRead(RepositoryPaths.Fixture("decoding", "expected.bgr.gz")), CompressionMode.Decompress);
        using var all = new MemoryStream();
        gzip.CopyTo(all);
        return all.ToArray();
    });

    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (var v in Expected.Value.GetProperty("variants").EnumerateArray()) data.Add(v.GetProperty("file").GetString()!);
        return data;
    }

    private static JsonElement Variant(string file) =>
        Expected.Value.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("file").GetString() == file);

    [Fact]
    public void The_corpus_covers_every_format_and_at_least_forty_variants()
    {
        var files = Expected.Value.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("file").GetString()!).ToArray();
        Assert.True(files.Length >= 40, $"{files.Length} variants");
        foreach (var extension in new[] { ".jpg", ".png", ".bmp", ".webp" })
        {
            Assert.Contains(files, f => f.EndsWith(extension, StringComparison.Ordinal));
        }

        Assert.Equal(ExpectedPixels.Value.Length, files.Sum(f => Variant(f).GetProperty("length").GetInt32()));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Decodes_to_the_bytes_of_cv2_imread(string file)
    {
        var v = Variant(file);
        var decoded = Loader.Load(File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "images", file)), bgr: true);

        Assert.Equal((v.GetProperty("width").GetInt32(), v.GetProperty("height").GetInt32()), (decoded.Width, decoded.Height));
        var expected = ExpectedPixels.Value.AsSpan(v.GetProperty("offset").GetInt32(), v.GetProperty("length").GetInt32());
        Assert.Equal(v.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(expected)));
        if (!expected.SequenceEqual(decoded.Pixels))
        {
            int differing = 0, worst = 0, first = -1;
            for (int i = 0; i < expected.Length; i++)
            {
                int d = Math.Abs(expected[i] - decoded.Pixels[i]);
                if (d == 0) continue;
                differing++;
                worst = Math.Max(worst, d);
                if (first < 0) first = i;
            }

            int pixel = first / 3;
            Assert.Fail($"{file} ({v.GetProperty("made").GetString()}): {differing} of {expected.Length} bytes differ, by at most {worst}; " +
                        $"first at x={pixel % decoded.Width}, y={pixel / decoded.Width}, channel {first % 3}");
        }

        output.WriteLine($"{file}: {decoded.Width}x{decoded.Height}, identical");
    }

    [Fact]
    public void Rgb_order_is_the_same_bytes_with_red_and_blue_swapped()
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "images", "sub420.jpg"));
        var bgr = Loader.Load(bytes, bgr: true).Pixels;
        var rgb = Loader.Load(bytes, bgr: false).Pixels;
        for (int o = 0; o < bgr.Length; o += 3)
        {
            Assert.Equal((bgr[o], bgr[o + 1], bgr[o + 2]), (rgb[o + 2], rgb[o + 1], rgb[o]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(2000)]
    public void A_jpeg_cut_short_is_refused_as_truncated(int cut)
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.Fixture("decoding", "images", "progressive.jpg"));
        var error = Assert.Throws<UndecodableImageException>(() => Loader.Load(bytes[..^cut], bgr: true));
        Assert.Contains("truncated", error.Message);
    }
}
