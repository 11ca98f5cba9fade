using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Configuration;

/// <summary>
/// Checks the catalog at start-up: valid, distinct names, each model's settings (a problem of the Batching or Inference
/// section itself is reported once, by that section), and a default model that exists.
/// </summary>
public sealed class ModelCatalogValidator : IValidateOptions<ModelCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelCatalogOptions options)
    {
        var problems = new List<string>();
        var inherited = Problems(options.BaseBatching).Concat(Problems(options.BaseInference)).ToHashSet();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in options.Models)
        {
            if (!ModelCatalogOptions.IsValidName(model.Name))
            {
                problems.Add($"{model.Section}: '{model.Name}' is not a model name (1-64 letters, digits, '.', '_' or '-', starting with a letter or digit).");
            }
            else if (!seen.Add(model.Name))
            {
                problems.Add($"{model.Section}: the model name '{model.Name}' is used twice (names are case-insensitive).");
            }

            problems.AddRange(Problems(model.Model)
                .Concat(Problems(model.Batching).Concat(Problems(model.Inference)).Where(p => !inherited.Contains(p)))
                .Select(p => $"{model.Section}: {p}"));
        }

        var names = string.Join(", ", options.Models.Select(m => m.Name));
        if (options.DefaultModel is { Length: > 0 } wanted)
        {
            if (!options.Models.Any(m => string.Equals(m.Name, wanted, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{ModelCatalogOptions.DefaultModelKey} '{wanted}' is not a configured model (configured: {names}).");
            }
        }
        else if (options.Models.Count > 1)
        {
            problems.Add($"{ModelCatalogOptions.DefaultModelKey} must name the model requests without model= get (configured: {names}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>The data-annotation and <see cref="IValidatableObject"/> problems of one options object.</summary>
    private static IEnumerable<string> Problems(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "invalid");
    }
}
