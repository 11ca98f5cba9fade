using System.Text.Json;
using System.Text.Json.Serialization;

namespace CornerNet.Model.Architecture;

/// <summary>
/// Describes one CornerNet network, in the terms of the authors' <c>kp</c> model. Saved as JSON beside every
/// checkpoint so that weights always travel with the shape they were trained for.
/// </summary>
public sealed record ArchitectureSpec
{
    /// <summary>The authors' COCO pixel mean, BGR order, on the 0..1 scale.</summary>
    public static readonly float[] CocoMeanBgr = [0.40789654f, 0.44719302f, 0.47026115f];

    /// <summary>The authors' COCO pixel standard deviation, BGR order.</summary>
    public static readonly float[] CocoStdBgr = [0.28863828f, 0.27408164f, 0.27809835f];

    public required string Name { get; init; }

    /// <summary>"hourglass" (CornerNet, the default when absent), "squeeze" (CornerNet-Squeeze) or "saccade"
    /// (CornerNet-Saccade). For squeeze the stem is conv 7x7/2 (3 -> stemDim), residual /2 (stemDim -> dims[0]),
    /// residual /2 (dims[0] -> dims[0]), the hourglass levels are fire modules, and the output stride is 8. Saccade is
    /// the hourglass family's network plus one attention head per hourglass level (see <see cref="AttDim"/>).</summary>
    [JsonConverter(typeof(FamilyNameConverter))]
    public NetworkFamily Family { get; init; } = NetworkFamily.Hourglass;

    /// <summary>Hourglass depth n: the number of down-sampling levels in each hourglass module.</summary>
    public required int Depth { get; init; }

    public required int Stacks { get; init; }

    /// <summary>Channels per hourglass level; Depth + 1 entries.</summary>
    public required int[] Dims { get; init; }

    /// <summary>Residual modules per hourglass level; Depth + 1 entries.</summary>
    public required int[] Modules { get; init; }

    /// <summary>Width of the 3x3 conv after each hourglass and of the heads' input.</summary>
    public int CnvDim { get; init; } = 256;

    /// <summary>Output channels of the 7x7 stem convolution.</summary>
    public int StemDim { get; init; } = 128;

    /// <summary>Channels of the two branches inside a corner-pooling module.</summary>
    public int PoolDim { get; init; } = 128;

    /// <summary>Saccade only: the middle width of the attention heads (3x3 conv with bias and ReLU to attDim, then 1x1 to
    /// one channel); the authors' 256.</summary>
    public int AttDim { get; init; } = 256;

    /// <summary>Class names; their count is the number of heatmap channels.</summary>
    public required string[] Classes { get; init; }

    /// <summary>"bgr" (the authors', trained with OpenCV) or "rgb" (mmdetection's checkpoints).</summary>
    public string ChannelOrder { get; init; } = "bgr";

    /// <summary>Per-channel mean in <see cref="ChannelOrder"/>, on the 0..1 scale.</summary>
    public float[] Mean { get; init; } = CocoMeanBgr;

    /// <summary>Per-channel standard deviation in <see cref="ChannelOrder"/>.</summary>
    public float[] Std { get; init; } = CocoStdBgr;

    /// <summary>Training input size [height, width].</summary>
    public int[] InputSize { get; init; } = [511, 511];

    /// <summary>Training output size [height, width]; by default the input size divided by the family's output stride,
    /// as the authors' configuration files give it (511 -> 128 for hourglass, 511 -> 64 for squeeze).</summary>
    public int[] OutputSize
    {
        get => _outputSize ?? [(InputSize[0] + 1) / OutputStride, (InputSize[1] + 1) / OutputStride];
        init => _outputSize = value;
    }

    private readonly int[]? _outputSize;

    /// <summary>Input pixels per output cell: 4 for hourglass and saccade (stem /4), 8 for squeeze (stem /8).</summary>
    [JsonIgnore]
    public int OutputStride => Family == NetworkFamily.Squeeze ? 8 : 4;

    /// <summary>What the authors' checkpoints of this family put before every key: CornerNet-Lite's trainer saves its
    /// model wrapped in a module named <c>module</c>; CornerNet's published checkpoints have bare keys.</summary>
    [JsonIgnore]
    public string CheckpointKeyPrefix => Family == NetworkFamily.Hourglass ? "" : "module.";

    /// <summary>Saccade: the attention maps per image, one per hourglass level, coarsest first (the authors' order).</summary>
    [JsonIgnore]
    public int AttentionMaps => Family == NetworkFamily.Saccade ? Depth : 0;

    /// <summary>Test-time settings this model was made for, over its family's defaults (each one optional).</summary>
    public TestSettings? Test { get; init; }

    [JsonIgnore]
    public int ClassCount => Classes.Length;

    [JsonIgnore]
    public bool IsBgr => string.Equals(ChannelOrder, "bgr", StringComparison.OrdinalIgnoreCase);

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming every inconsistent field.</summary>
    public ArchitectureSpec Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) problems.Add("name is empty");
        if (Depth < 1) problems.Add($"depth must be at least 1 (got {Depth})");
        if (Stacks < 1) problems.Add($"stacks must be at least 1 (got {Stacks})");
        if (Dims is null || Dims.Length != Depth + 1) problems.Add($"dims needs depth + 1 = {Depth + 1} entries (got {Dims?.Length ?? 0})");
        if (Modules is null || Modules.Length != Depth + 1) problems.Add($"modules needs depth + 1 = {Depth + 1} entries (got {Modules?.Length ?? 0})");
        if (Dims is not null && Dims.Any(d => d < 1)) problems.Add("every dims entry must be positive");
        if (Modules is not null && Modules.Any(m => m < 1)) problems.Add("every modules entry must be at least 1");
        if (CnvDim < 1 || StemDim < 1 || PoolDim < 1) problems.Add("cnvDim, stemDim and poolDim must be positive");
        if (Classes is null || Classes.Length == 0) problems.Add("classes must name at least one class");
        if (!IsBgr && !string.Equals(ChannelOrder, "rgb", StringComparison.OrdinalIgnoreCase)) problems.Add($"channelOrder must be \"bgr\" or \"rgb\" (got \"{ChannelOrder}\")");
        if (Mean is null || Mean.Length != 3) problems.Add("mean needs 3 entries");
        if (Std is null || Std.Length != 3 || Std.Any(s => s <= 0)) problems.Add("std needs 3 positive entries");
        if (!Enum.IsDefined(Family)) problems.Add($"family {(int)Family} is not defined");
        if (InputSize is null || InputSize.Length != 2 || OutputSize is null || OutputSize.Length != 2) problems.Add("inputSize and outputSize need [height, width]");
        if (Family == NetworkFamily.Squeeze && Dims is not null && Dims.Any(d => d % 2 != 0)) problems.Add("every dims entry of a squeeze network must be even (fire modules split it in halves)");
        if (Family == NetworkFamily.Saccade && Depth != 3) problems.Add($"a saccade network needs depth 3 (three attention maps, one per zoom range of the test procedure; got {Depth})");
        if (Family == NetworkFamily.Saccade && AttDim < 1) problems.Add("attDim must be positive");
        if (Test is not null) problems.AddRange(Test.Problems());
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid architecture '{Name}': {string.Join("; ", problems)}.");
        }

        return this;
    }

    public static ArchitectureSpec FromJson(string json)
    {
        var spec = JsonSerializer.Deserialize<ArchitectureSpec>(json, JsonOptions)
                   ?? throw new ArgumentException("Architecture JSON is empty.");
        return spec.Validate();
    }

    public static ArchitectureSpec Load(string path)
    {
        Checkpoints.RegularFile.Require(path, "Architecture file");
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            // Where, not what: the parser's own message quotes the file's characters, and the path may point anywhere.
            var at = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : string.Empty;
            var member = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? string.Empty : $" ({e.Path})";
            throw new ArgumentException($"Architecture file '{path}' is not valid architecture JSON{at}{member}.", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>A preset name (see <see cref="ArchitecturePresets"/>) or a path to an architecture JSON file.</summary>
    public static ArchitectureSpec Resolve(string presetOrPath) =>
        ArchitecturePresets.TryGet(presetOrPath, out var preset) ? preset : Load(presetOrPath);

    /// <summary>Family names in lower case ("hourglass", "squeeze", "saccade"), read in any case.</summary>
    internal sealed class FamilyNameConverter() : JsonStringEnumConverter<NetworkFamily>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);
}
