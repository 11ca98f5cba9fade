using System.Reflection;
using System.Text.RegularExpressions;

namespace CornerNet.Tests.Shared;

/// <summary>
/// Compiled into every test project: its tests read as sentences, words joined by '_' with the first capitalised
/// (<c>A_model_that_cannot_be_loaded_stops_start_up_with_one_clear_line</c>); names of things keep their case (PNG,
/// OpenCV, PyTorch). The one naming style for tests, which .editorconfig's naming rules cannot express.
/// </summary>
public sealed partial class TestNamingConventionTests
{
    [Fact]
    public void Every_test_in_this_project_is_named_as_a_sentence()
    {
        var offenders = typeof(TestNamingConventionTests).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(method => method.GetCustomAttributes<FactAttribute>(inherit: true).Any())
            .Where(method => !Sentence().IsMatch(method.Name))
            .Select(method => $"{method.DeclaringType!.FullName}.{method.Name}")
            .ToList();

        Assert.True(offenders.Count == 0, "Not named as a sentence: " + string.Join(", ", offenders));
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*(_[A-Za-z0-9]+)+$")]
    private static partial Regex Sentence();
}
