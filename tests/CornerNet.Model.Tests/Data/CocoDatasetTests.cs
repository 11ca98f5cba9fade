using CornerNet.Model.Data;

namespace CornerNet.Model.Tests.Data;

public sealed class CocoDatasetTests
{
    private const string ValidJson = """
        {
          "images": [ {"id": 5, "file_name": "a.png", "width": 64, "height": 48},
                      {"id": 2, "file_name": "b.png", "width": 32, "height": 32} ],
          "annotations": [
            {"id": 1, "image_id": 5, "category_id": 7, "bbox": [1, 2, 10, 20], "area": 200, "iscrowd": 0},
            {"id": 2, "image_id": 5, "category_id": 3, "bbox": [0.5, 0, 4.25, 4], "area": 17, "iscrowd": 1},
            {"id": 3, "image_id": 2, "category_id": 3, "bbox": [3, 3, 8, 8], "area": 64}
          ],
          "categories": [ {"id": 7, "name": "seven"}, {"id": 3, "name": "three"} ]
        }
        """;

    [Fact]
    public void Categories_map_to_contiguous_indices_in_ascending_id_order()
    {
        var dataset = CocoDataset.Parse(ValidJson, "valid.json");

        Assert.Equal([3L, 7L], dataset.Categories.Select(c => c.Id));
        Assert.Equal(0, dataset.CategoryIndex(3));
        Assert.Equal(1, dataset.CategoryIndex(7));
        Assert.Equal(7, dataset.CategoryId(1));
        Assert.False(dataset.TryGetCategoryIndex(4, out _));
    }

    [Fact]
    public void Fields_are_read()
    {
        var dataset = CocoDataset.Parse(ValidJson, "valid.json");

        Assert.Equal(new CocoImage(5, "a.png", 64, 48), dataset.Image(5));
        Assert.Equal(
            new CocoAnnotation(2, 5, 3, new CocoBox(0.5, 0, 4.25, 4), 17, IsCrowd: true),
            dataset.AnnotationsOf(5)[1]);
        Assert.False(dataset.AnnotationsOf(2)[0].IsCrowd); // iscrowd may be left out
        Assert.Empty(dataset.AnnotationsOf(99));
        Assert.Empty(dataset.SkippedEntries);
    }

    [Fact]
    public void Save_then_load_gives_the_same_data_set()
    {
        var dataset = CocoDataset.Parse(ValidJson, "valid.json");
        using var stream = new MemoryStream();
        dataset.WriteTo(stream);

        var reloaded = CocoDataset.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()), "saved.json");

        Assert.Equal(dataset.Images, reloaded.Images);
        Assert.Equal(dataset.Annotations, reloaded.Annotations);
        Assert.Equal(dataset.Categories, reloaded.Categories);
    }

    [Theory]
    [InlineData("\"image_id\": 1, \"bbox\": [1, 2, -10, 20]", "annotations[0] (id 1): bbox has negative width (-10)")]
    [InlineData("\"image_id\": 1, \"bbox\": [1, 2, 10, -2]", "annotations[0] (id 1): bbox has negative height (-2)")]
    [InlineData("\"image_id\": 1, \"bbox\": [1, 2, 10]", "annotations[0] (id 1): bbox is [1, 2, 10], not [x, y, width, height]")]
    [InlineData("\"image_id\": 1, \"bbox\": [1, \"2\", 10, 20]", "annotations[0] (id 1): bbox[1] is \"2\", not a finite number")]
    [InlineData("\"image_id\": 9, \"bbox\": [1, 2, 10, 20]", "annotations[0] (id 1): image_id 9 is not in images")]
    public void Malformed_annotation_names_file_and_entry(string fields, string expected)
    {
        string json = BadAnnotation(fields);

        var error = Assert.Throws<CocoFormatException>(() => CocoDataset.Parse(json, "bad.json"));

        Assert.Equal($"bad.json: {expected}", error.Message);
        Assert.Equal("bad.json", error.File);
    }

    [Fact]
    public void Malformed_entries_can_be_skipped_and_counted()
    {
        string json = """
            {
              "images": [ {"id": 1, "file_name": "a.png", "width": 64, "height": 48}, {"id": 2, "file_name": "b.png"} ],
              "annotations": [
                {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 20], "area": 200},
                {"id": 42, "image_id": 1, "category_id": 1, "bbox": [1, 2, -10, 20], "area": 200},
                {"id": 43, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 20]},
                {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 20], "area": 200},
                {"id": 44, "image_id": 2, "category_id": 1, "bbox": [1, 2, 10, 20], "area": 200},
                17
              ],
              "categories": [ {"id": 1, "name": "a"} ]
            }
            """;

        var dataset = CocoDataset.Parse(json, "mixed.json", new CocoLoadOptions { MalformedEntries = CocoMalformedEntryPolicy.SkipAndCount });

        Assert.Single(dataset.Images);
        Assert.Single(dataset.Annotations);
        Assert.Equal(
            [
                "mixed.json: images[1] (id 2): has no width",
                "mixed.json: annotations[1] (id 42): bbox has negative width (-10)",
                "mixed.json: annotations[2] (id 43): has no area",
                "mixed.json: annotations[5]: is a JSON number, not an object",
                "mixed.json: annotations[3] (id 1): annotation id 1 is used twice",
                "mixed.json: annotations[4] (id 44): image_id 2 is not in images",
            ],
            dataset.SkippedEntries.Select(i => i.ToString()));
        Assert.Throws<CocoFormatException>(() => CocoDataset.Parse(json, "mixed.json"));
    }

    [Fact]
    public void Broken_structure_always_stops()
    {
        var skip = new CocoLoadOptions { MalformedEntries = CocoMalformedEntryPolicy.SkipAndCount };

        Assert.Contains("not valid JSON", Assert.Throws<CocoFormatException>(() => CocoDataset.Parse("{", "x.json", skip)).Message);
        Assert.Equal(
            "x.json: has no \"categories\" array",
            Assert.Throws<CocoFormatException>(() => CocoDataset.Parse("""{"images": [], "annotations": []}""", "x.json", skip)).Message);
        Assert.StartsWith(
            "/no/such/file.json: cannot be read",
            Assert.Throws<CocoFormatException>(() => CocoDataset.Load("/no/such/file.json")).Message);
    }

    [Fact]
    public void Malformed_detection_names_the_entry()
    {
        string json = """[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "score": 0.5}, {"image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5]}]""";

        Assert.Equal(
            "dets.json: results[1]: has no score",
            Assert.Throws<CocoFormatException>(() => CocoResults.Parse(json, "dets.json")).Message);
        var results = CocoResults.Parse(json, "dets.json", new CocoLoadOptions { MalformedEntries = CocoMalformedEntryPolicy.SkipAndCount });
        Assert.Single(results.Detections);
        Assert.Single(results.SkippedEntries);
    }

    private static string BadAnnotation(string fields) => $$"""
        {
          "images": [ {"id": 1, "file_name": "a.png", "width": 64, "height": 48} ],
          "annotations": [ {"id": 1, "category_id": 1, {{fields}}, "area": 200, "iscrowd": 0} ],
          "categories": [ {"id": 1, "name": "a"} ]
        }
        """;
}
