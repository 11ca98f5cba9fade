using CornerNet.Model.Data;

namespace CornerNet.Model.Tests.Data;

public sealed class SyntheticShapesGeneratorTests
{
    private static readonly SyntheticShapesOptions SmallSet = new() { ImageCount = 6, Seed = 11, MinImageSize = 96, MaxImageSize = 160 };

    [Fact]
    public void Same_seed_writes_identical_files_and_another_seed_differs()
    {
        string first = TempDirectory(), second = TempDirectory(), other = TempDirectory();
        try
        {
            new SyntheticShapesGenerator(SmallSet).Generate(first);
            new SyntheticShapesGenerator(SmallSet).Generate(second);
            new SyntheticShapesGenerator(new SyntheticShapesOptions { ImageCount = 6, Seed = 12, MinImageSize = 96, MaxImageSize = 160 }).Generate(other);

            var files = RelativeFiles(first);
            Assert.Equal(SmallSet.ImageCount + 1, files.Length);
            Assert.Equal(files, RelativeFiles(second));
            foreach (string file in files)
            {
                Assert.True(
                    File.ReadAllBytes(Path.Combine(first, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, file))),
                    $"{file} differs between two runs with the same seed");
            }

            Assert.All(files, file => Assert.False(
                File.ReadAllBytes(Path.Combine(first, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(other, file))),
                $"{file} is the same for seeds 11 and 12"));
        }
        finally
        {
            Directory.Delete(first, true);
            Directory.Delete(second, true);
            Directory.Delete(other, true);
        }
    }

    [Fact]
    public void Written_annotations_load_and_stay_in_image_bounds()
    {
        string folder = TempDirectory();
        try
        {
            var generated = new SyntheticShapesGenerator(SmallSet).Generate(folder);

            var dataset = CocoDataset.Load(Path.Combine(folder, SyntheticShapesGenerator.AnnotationsFileName));

            Assert.Equal(["circle", "square", "triangle", "star"], dataset.Categories.Select(c => c.Name));
            Assert.Equal([1L, 2L, 3L, 4L], dataset.Categories.Select(c => c.Id));
            Assert.Equal(generated.Annotations, dataset.Annotations);
            Assert.NotEmpty(dataset.Annotations);
            foreach (var image in dataset.Images)
            {
                using var decoded = SixLabors.ImageSharp.Image.Load(Path.Combine(folder, image.FileName));
                Assert.Equal((image.Width, image.Height), (decoded.Width, decoded.Height));
                foreach (var annotation in dataset.AnnotationsOf(image.Id))
                {
                    var box = annotation.Box;
                    Assert.True(box.X >= 0 && box.Y >= 0 && box.Width >= 1 && box.Height >= 1, $"{box}");
                    Assert.True(box.Right <= image.Width && box.Bottom <= image.Height, $"{box} outside {image.Width}x{image.Height}");
                    Assert.InRange(annotation.Area, 1, box.Area);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void Boxes_are_tight_around_visible_pixels_and_hidden_shapes_are_dropped()
    {
        var generator = new SyntheticShapesGenerator(new SyntheticShapesOptions { Seed = 5, MinObjectsPerImage = 4, MaxObjectsPerImage = 8, MinImageSize = 128, MaxImageSize = 128 });
        int dropped = 0, partlyHidden = 0;
        for (int index = 0; index < 30; index++)
        {
            using var rendered = generator.Render(index);
            for (int s = 0; s < rendered.Shapes.Count; s++)
            {
                var shape = rendered.Shapes[s];
                var (visible, box) = OwnedPixels(rendered, s);
                Assert.Equal(visible, shape.VisiblePixels);
                Assert.True(shape.DrawnPixels >= visible);
                if (visible > 0)
                {
                    Assert.Equal(box, shape.Box);
                }

                Assert.Equal(visible > 0 && shape.VisibleFraction >= 0.4, shape.IsAnnotated);
                dropped += shape.IsAnnotated ? 0 : 1;
                partlyHidden += shape.IsAnnotated && shape.VisibleFraction < 1 ? 1 : 0;
            }
        }

        // With 4-8 shapes on 128x128 images, occlusion must occur in both forms.
        Assert.True(dropped > 0, "no shape was hidden enough to be dropped");
        Assert.True(partlyHidden > 0, "no annotated shape was partly hidden");
    }

    [Fact]
    public void A_lone_shape_is_one_solid_colour_inside_its_owned_pixels()
    {
        using var rendered = new SyntheticShapesGenerator(new SyntheticShapesOptions { Seed = 3, MinObjectsPerImage = 1, MaxObjectsPerImage = 1 }).Render(0);
        var (_, box) = OwnedPixels(rendered, 0);

        // The background is grainy, so a single colour over the owned interior shows the shape was painted exactly there.
        var colours = new HashSet<SixLabors.ImageSharp.PixelFormats.Rgb24>();
        for (int y = (int)box.Y + 1; y < box.Bottom - 1; y++)
        {
            for (int x = (int)box.X + 1; x < box.Right - 1; x++)
            {
                if (IsInterior(rendered, x, y))
                {
                    colours.Add(rendered.Image[x, y]);
                }
            }
        }

        Assert.NotEmpty(colours);
        Assert.Single(colours);
    }

    [Fact]
    public void Categories_are_roughly_balanced_and_sizes_vary()
    {
        var generator = new SyntheticShapesGenerator(new SyntheticShapesOptions { Seed = 99, MinImageSize = 64, MaxImageSize = 96 });
        var counts = new int[5];
        double smallest = double.MaxValue, largest = 0;
        for (int index = 0; index < 200; index++)
        {
            using var rendered = generator.Render(index);
            foreach (var shape in rendered.Shapes.Where(s => s.IsAnnotated))
            {
                counts[shape.CategoryId]++;
                double extent = Math.Max(shape.Box.Width, shape.Box.Height);
                smallest = Math.Min(smallest, extent);
                largest = Math.Max(largest, extent / Math.Min(rendered.Width, rendered.Height));
            }
        }

        int total = counts.Sum();
        for (int category = 1; category <= 4; category++)
        {
            Assert.InRange(counts[category] / (double)total, 0.18, 0.32);
        }

        Assert.InRange(smallest, 4, 14);
        Assert.InRange(largest, 0.4, 0.75);
    }

    [Fact]
    public void Invalid_options_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticShapesGenerator(new SyntheticShapesOptions { MinImageSize = 300, MaxImageSize = 200 }));

    private static (int Visible, CocoBox Box) OwnedPixels(SyntheticShapesImage rendered, int shape)
    {
        int visible = 0, left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (int y = 0; y < rendered.Height; y++)
        {
            for (int x = 0; x < rendered.Width; x++)
            {
                if (rendered.OwnerMap[(y * rendered.Width) + x] == shape)
                {
                    visible++;
                    (left, top, right, bottom) = (Math.Min(left, x), Math.Min(top, y), Math.Max(right, x), Math.Max(bottom, y));
                }
            }
        }

        return (visible, visible == 0 ? default : new CocoBox(left, top, right - left + 1, bottom - top + 1));
    }

    private static bool IsInterior(SyntheticShapesImage rendered, int x, int y)
    {
        for (int dy = -1; dy <= 1; dy++)
        {
            for (int dx = -1; dx <= 1; dx++)
            {
                if (rendered.OwnerMap[((y + dy) * rendered.Width) + x + dx] != 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string[] RelativeFiles(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)];

    private static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), $"synthetic-shapes-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
