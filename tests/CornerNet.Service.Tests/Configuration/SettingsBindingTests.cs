using System.Net.Http.Json;
using System.Text.Json;
using CornerNet.Service.Configuration;
using Microsoft.Extensions.Configuration;

namespace CornerNet.Service.Tests.Configuration;

/// <summary>How settings bind and what their validators say, on the real host where it matters.</summary>
public sealed class SettingsBindingTests
{
    private static T Bind<T>(string section, Dictionary<string, string?> settings) where T : new() =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(section).Get<T>() ?? new T();

    [Fact]
    public void A_listed_set_of_image_formats_replaces_the_default_one()
    {
        var limits = Bind<LimitsOptions>(LimitsOptions.Section, new() { ["Limits:ImageFormats:0"] = "PNG" });
        Assert.Equal(["png"], limits.EnabledImageFormats);
        Assert.Equal(["jpeg", "png", "bmp", "webp"], new LimitsOptions().EnabledImageFormats);
    }

    [Fact]
    public void Listed_test_scales_replace_the_authors_single_scale()
    {
        var pipeline = Bind<PipelineOptions>(PipelineOptions.Section, new() { ["Pipeline:TestScales:0"] = "0.5", ["Pipeline:TestScales:1"] = "1.5" });
        Assert.Equal([0.5, 1.5], pipeline.ToDetectorOptions().TestScales);
        Assert.Equal([1.0], new PipelineOptions().ToDetectorOptions().TestScales);
    }

    [Fact]
    public void Every_invalid_pipeline_setting_is_named_under_its_section()
    {
        var options = new PipelineOptions { TopK = 0, NmsKernel = 2, TestScales = [9] };
        var result = new PipelineOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Pipeline:TopK must be at least 1", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:NmsKernel must be a positive odd number", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:TestScales must each be in (0, 8]", StringComparison.Ordinal));
        Assert.True(new PipelineOptionsValidator().Validate(null, new PipelineOptions()).Succeeded);
    }

    [Fact]
    public async Task The_model_endpoint_reports_the_pipeline_and_formats_in_effect()
    {
        await using var factory = new ServiceFactory(new Dictionary<string, string?>
        {
            ["Pipeline:TestScales:0"] = "0.5",
            ["Pipeline:TestScales:1"] = "1",
            ["Pipeline:NmsKind"] = "Linear",
        });
        var client = await factory.CreateReadyClientAsync();
        var info = await client.GetFromJsonAsync<JsonElement>("/model");
        var pipeline = info.GetProperty("pipeline");
        Assert.Equal([0.5, 1.0], pipeline.GetProperty("testScales").EnumerateArray().Select(s => s.GetDouble()));
        Assert.Equal(1, pipeline.GetProperty("nmsKind").GetInt32());
        // appsettings.json lists the four default formats; each is enabled once.
        Assert.Equal(["jpeg", "png", "bmp", "webp"], info.GetProperty("limits").GetProperty("imageFormats").EnumerateArray().Select(f => f.GetString()));
    }
}
