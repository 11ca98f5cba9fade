using System.Globalization;
using System.Text.Json;

namespace CornerNet.Model.Data;

/// <summary>Field readers shared by the COCO annotation and results files; they explain what is wrong in plain words.</summary>
internal static class CocoJson
{
    public static JsonDocument Parse(string json, string file)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CocoFormatException(file, null, $"not valid JSON ({e.Message})", e);
        }
    }

    public static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CocoFormatException(path, null, $"cannot be read ({e.Message})", e);
        }
    }

    /// <summary>"annotations[17] (id 42)" when the entry has a readable id, else "annotations[17]".</summary>
    public static string EntryLabel(string arrayName, int index, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty("id", out var id)
            && id.ValueKind is JsonValueKind.Number or JsonValueKind.String)
        {
            return $"{arrayName}[{index}] (id {id.GetRawText().Trim('"')})";
        }

        return $"{arrayName}[{index}]";
    }

    public static JsonElement RequireObject(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CocoEntryProblemException($"is a JSON {Describe(element.ValueKind)}, not an object");
        }

        return element;
    }

    public static long RequireInteger(JsonElement entry, string name)
    {
        var value = RequireProperty(entry, name);
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out long integer))
            {
                return integer;
            }

            // 42.0 is an integer written as a float; accept it as Python does.
            if (value.TryGetDouble(out double real) && real == Math.Floor(real) && Math.Abs(real) < 9e15)
            {
                return (long)real;
            }
        }

        throw new CocoEntryProblemException($"{name} is {Show(value)}, not an integer");
    }

    public static int RequirePositiveInt(JsonElement entry, string name)
    {
        long value = RequireInteger(entry, name);
        if (value <= 0 || value > int.MaxValue)
        {
            throw new CocoEntryProblemException($"{name} is {value}, not a positive size");
        }

        return (int)value;
    }

    public static double RequireFinite(JsonElement entry, string name)
    {
        var value = RequireProperty(entry, name);
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && double.IsFinite(number))
        {
            return number;
        }

        throw new CocoEntryProblemException($"{name} is {Show(value)}, not a finite number");
    }

    public static string RequireString(JsonElement entry, string name)
    {
        var value = RequireProperty(entry, name);
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }

        throw new CocoEntryProblemException($"{name} is {Show(value)}, not a string");
    }

    /// <summary>iscrowd as 0/1 or false/true; missing means not a crowd.</summary>
    public static bool OptionalCrowdFlag(JsonElement entry)
    {
        if (!entry.TryGetProperty("iscrowd", out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt64(out long flag) && flag is 0 or 1 => flag == 1,
            _ => throw new CocoEntryProblemException($"iscrowd is {Show(value)}, not 0 or 1"),
        };
    }

    public static CocoBox RequireBox(JsonElement entry)
    {
        var value = RequireProperty(entry, "bbox");
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 4)
        {
            throw new CocoEntryProblemException($"bbox is {Show(value)}, not [x, y, width, height]");
        }

        Span<double> numbers = stackalloc double[4];
        int index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out numbers[index]) || !double.IsFinite(numbers[index]))
            {
                throw new CocoEntryProblemException($"bbox[{index}] is {Show(item)}, not a finite number");
            }

            index++;
        }

        if (numbers[2] < 0)
        {
            throw new CocoEntryProblemException($"bbox has negative width ({Format(numbers[2])})");
        }

        if (numbers[3] < 0)
        {
            throw new CocoEntryProblemException($"bbox has negative height ({Format(numbers[3])})");
        }

        return new CocoBox(numbers[0], numbers[1], numbers[2], numbers[3]);
    }

    public static JsonElement RequireTopLevelArray(JsonElement root, string name, string file, bool optional = false)
    {
        if (root.TryGetProperty(name, out var array))
        {
            if (array.ValueKind == JsonValueKind.Array)
            {
                return array;
            }

            throw new CocoFormatException(file, null, $"\"{name}\" is a JSON {Describe(array.ValueKind)}, not an array");
        }

        if (optional)
        {
            return default;
        }

        throw new CocoFormatException(file, null, $"has no \"{name}\" array");
    }

    public static void WriteBox(Utf8JsonWriter writer, CocoBox box)
    {
        writer.WriteStartArray("bbox");
        writer.WriteNumberValue(box.X);
        writer.WriteNumberValue(box.Y);
        writer.WriteNumberValue(box.Width);
        writer.WriteNumberValue(box.Height);
        writer.WriteEndArray();
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static JsonElement RequireProperty(JsonElement entry, string name)
    {
        if (!entry.TryGetProperty(name, out var value))
        {
            throw new CocoEntryProblemException($"has no {name}");
        }

        return value;
    }

    private static string Show(JsonElement value)
    {
        string text = value.GetRawText();
        return text.Length <= 40 ? text : text[..37] + "...";
    }

    private static string Describe(JsonValueKind kind) => kind.ToString().ToLowerInvariant();
}
