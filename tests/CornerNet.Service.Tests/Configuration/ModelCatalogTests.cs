using CornerNet.Service.Configuration;
using Microsoft.Extensions.Configuration;

namespace CornerNet.Service.Tests.Configuration;

/// <summary>Models:{name} sections laid over Batching and Inference, the single-model settings as one model, and the
/// start-up check of names and the default model.</summary>
public sealed class ModelCatalogTests
{
    private static (ModelCatalogOptions Catalog, IReadOnlyList<string> Problems) Read(Dictionary<string, string?> settings)
    {
        var catalog = new ModelCatalogOptions();
        catalog.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var result = new ModelCatalogValidator().Validate(null, catalog);
        return (catalog, result.Failed ? result.Failures.ToList() : []);
    }

    private static Dictionary<string, string?> TwoModels(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Batching:MaxBatchSize"] = "8",
            ["Batching:InferenceThreads"] = "2",
            ["Inference:Precision"] = "fp32",
            ["Models:fast:Architecture"] = "tiny",
            ["Models:fast:Weights"] = "fast.pth",
            ["Models:fast:InferenceThreads"] = "1",
            ["Models:fast:MaxDelayMs"] = "3",
            ["Models:accurate:Architecture"] = "models/demo.json",
            ["Models:accurate:Weights"] = "models/demo.pth",
            ["Models:accurate:Precision"] = "bf16",
            ["Models:accurate:Device"] = "cpu",
            ["Detection:DefaultModel"] = "Fast",
        };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    [Fact]
    public void Each_model_section_overrides_only_what_it_names()
    {
        var (catalog, problems) = Read(TwoModels());

        Assert.Empty(problems);
        var fast = catalog.Models.Single(m => m.Name == "fast");
        var accurate = catalog.Models.Single(m => m.Name == "accurate");
        Assert.Equal((1, 3, 8), (fast.Batching.InferenceThreads, fast.Batching.MaxDelayMs, fast.Batching.MaxBatchSize));
        Assert.Equal((2, 8, "bf16", "cpu"), (accurate.Batching.InferenceThreads, accurate.Batching.MaxBatchSize, accurate.Inference.Precision, accurate.Model.Device));
        Assert.Equal("fp32", fast.Inference.Precision);
        Assert.Equal("auto", fast.Model.Device);
        Assert.Equal("fast", catalog.DefaultName);
    }

    [Theory]
    [InlineData("models/demo.json", "demo")]
    [InlineData("tiny", "tiny")]
    [InlineData("/opt/models/hourglass104.json", "hourglass104")]
    [InlineData("/opt/models/my model.json", "default")]
    public void The_single_model_settings_are_one_model_named_after_the_architecture(string architecture, string name)
    {
        var (catalog, problems) = Read(new Dictionary<string, string?>
        {
            ["Model:Architecture"] = architecture,
            ["Model:Weights"] = "w.pth",
            ["Batching:MaxBatchSize"] = "2",
        });

        Assert.Empty(problems);
        var model = Assert.Single(catalog.Models);
        Assert.Equal(name, model.Name);
        Assert.Equal(name, catalog.DefaultName);
        Assert.Equal(2, model.Batching.MaxBatchSize);
    }

    [Fact]
    public void With_model_sections_the_single_model_section_is_not_used()
    {
        var (catalog, problems) = Read(TwoModels(("Model:Architecture", "ignored.json"), ("Model:Weights", "ignored.pth")));

        Assert.Empty(problems);
        Assert.Equal(["accurate", "fast"], catalog.Models.Select(m => m.Name).Order());
    }

    [Theory]
    [InlineData("Detection:DefaultModel", "slow", "Detection:DefaultModel 'slow' is not a configured model (configured: accurate, fast).")]
    [InlineData("Detection:DefaultModel", null, "Detection:DefaultModel must name the model requests without model= get (configured: accurate, fast).")]
    [InlineData("Models:fast:MaxBatchSize", "0", "Models:fast: The field MaxBatchSize must be between 1 and 64.")]
    [InlineData("Models:accurate:Precision", "fp16", "Models:accurate: Inference:Precision must be fp32 or bf16.")]
    [InlineData("Models:fast:Weights", "", "Models:fast: The Weights field is required.")]
    [InlineData("Models:a b:Weights", "x.pth", "Models:a b: 'a b' is not a model name")]
    [InlineData("Models::Weights", "x.pth", "Models:: '' is not a model name")]
    public void A_bad_catalog_is_one_problem_naming_its_section(string key, string? value, string expected)
    {
        var settings = TwoModels();
        settings[key] = value;
        if (key.EndsWith(":Weights", StringComparison.Ordinal) && value is not "") settings[key.Replace(":Weights", ":Architecture", StringComparison.Ordinal)] = "tiny";

        var (_, problems) = Read(settings);

        var problem = Assert.Single(problems);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_problem_of_the_Batching_section_is_left_to_that_section()
    {
        // Both models inherit it; the Batching section's own check reports it once (SettingsExtensions).
        var (_, problems) = Read(TwoModels(("Batching:MaxBatchSize", "0")));

        Assert.Empty(problems);
    }
}
