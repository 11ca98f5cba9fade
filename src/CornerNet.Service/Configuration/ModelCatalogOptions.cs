using System.Text.RegularExpressions;

namespace CornerNet.Service.Configuration;

/// <summary>
/// The models the service serves. Each <c>Models:{name}</c> section is one model, laid over the sections Batching and
/// Inference. Without any, the single-model settings Model, Batching and Inference are one model, named after its
/// architecture file (<c>models/demo.json</c> serves as <c>demo</c>) or its preset, else <c>default</c>.
/// <c>Detection:DefaultModel</c> names the model a request without <c>model=</c> gets (required with several models).
/// </summary>
public sealed partial class ModelCatalogOptions
{
    public const string Section = "Models";

    public const string DefaultModelKey = "Detection:DefaultModel";

    /// <summary>The name a model gets when none can be derived from its architecture.</summary>
    public const string FallbackName = "default";

    public List<ServedModelOptions> Models { get; } = [];

    /// <summary>Detection:DefaultModel as configured (null: the only model).</summary>
    public string? DefaultModel { get; set; }

    /// <summary>The Batching and Inference sections as configured, the settings each model starts from.</summary>
    public BatchingOptions BaseBatching { get; } = new();

    public InferenceOptions BaseInference { get; } = new();

    /// <summary>The default model's name once validated (<see cref="ModelCatalogValidator"/>).</summary>
    public string DefaultName => DefaultModel is { Length: > 0 } name
        ? Models.First(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)).Name
        : Models[0].Name;

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Reads the catalog from configuration (binding only; <see cref="ModelCatalogValidator"/> checks it).</summary>
    public void Read(IConfiguration configuration)
    {
        BindShared(configuration, BatchingOptions.Section, BaseBatching);
        BindShared(configuration, InferenceOptions.Section, BaseInference);
        DefaultModel = configuration[DefaultModelKey];
        var sections = configuration.GetSection(Section).GetChildren().ToList();
        if (sections.Count == 0)
        {
            var single = configuration.GetSection(ModelOptions.Section);
            Models.Add(Overlay(NameFromArchitecture(single[nameof(ModelOptions.Architecture)]), ModelOptions.Section, configuration, single));
            return;
        }

        foreach (var section in sections)
        {
            Models.Add(Overlay(section.Key, section.Path, configuration, section));
        }
    }

    /// <summary><c>models/demo.json</c> is <c>demo</c>, the preset <c>tiny</c> is <c>tiny</c>; anything else <c>default</c>.</summary>
    public static string NameFromArchitecture(string? architecture)
    {
        var name = Path.GetFileNameWithoutExtension(architecture ?? string.Empty);
        return IsValidName(name) ? name : FallbackName;
    }

    private static ServedModelOptions Overlay(string name, string path, IConfiguration configuration, IConfigurationSection section)
    {
        var model = new ModelOptions();
        section.Bind(model);
        var batching = new BatchingOptions();
        BindShared(configuration, BatchingOptions.Section, batching);
        var inference = new InferenceOptions();
        BindShared(configuration, InferenceOptions.Section, inference);
        if (path != ModelOptions.Section)
        {
            section.Bind(batching);
            section.Bind(inference);
        }

        return new ServedModelOptions { Name = name, Section = path, Model = model, Batching = batching, Inference = inference };
    }

    /// <summary>Binds a shared section; a value it cannot convert is reported by that section's own options, once.</summary>
    private static void BindShared(IConfiguration configuration, string section, object target)
    {
        try
        {
            configuration.GetSection(section).Bind(target);
        }
        catch (InvalidOperationException)
        {
            // Start-up stops on the section's own report of it.
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex NamePattern();
}
