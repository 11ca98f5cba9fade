using CornerNet.Model.Data;
using CornerNet.Training.OfflineDetection;

namespace CornerNet.Training.Tests.OfflineDetection;

public class ImageCollectionTests
{
    private static string Folder()
    {
        var folder = TrainingFixtures.NewFolder("collection");
        foreach (var name in new[] { "b.png", "a.JPG", "sub/c.webp", "notes.txt", "sub/deeper/d.jpeg" })
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, name);
        }

        return folder;
    }

    [Fact]
    public void A_folder_gives_its_image_files_recursively_sorted_by_name_with_ids_by_position()
    {
        var folder = Folder();

        var items = ImageCollection.Resolve(folder);

        Assert.Equal(["a.JPG", "b.png", "sub/c.webp", "sub/deeper/d.jpeg"], items.Select(i => i.Name));
        Assert.Equal([1L, 2, 3, 4], items.Select(i => i.ImageId));
        Assert.Equal(Path.Combine(folder, "sub", "c.webp"), items[2].Path);
    }

    [Fact]
    public void A_glob_gives_the_matching_files_below_its_fixed_part()
    {
        var folder = Folder();

        var items = ImageCollection.Resolve(Path.Combine(folder, "sub", "**", "*.*"));

        Assert.Equal(["c.webp", "deeper/d.jpeg"], items.Select(i => i.Name));
    }

    [Fact]
    public void A_list_file_keeps_its_order_and_resolves_paths_against_its_folder()
    {
        var folder = Folder();
        var list = Path.Combine(folder, "list.txt");
        File.WriteAllLines(list, ["# images to run", "sub/c.webp", "", "b.png"]);

        var items = ImageCollection.Resolve(list);

        Assert.Equal(["sub/c.webp", "b.png"], items.Select(i => i.Name));
        Assert.Equal(Path.Combine(folder, "b.png"), items[1].Path);
    }

    [Fact]
    public void A_list_naming_a_file_twice_is_refused_with_the_line()
    {
        var folder = Folder();
        var list = Path.Combine(folder, "list.txt");
        File.WriteAllLines(list, ["b.png", "./b.png"]);

        Assert.Contains("list.txt:2", Assert.Throws<ArgumentException>(() => ImageCollection.Resolve(list)).Message);
    }

    [Fact]
    public void Annotations_give_the_image_ids_by_file_name_and_a_name_they_lack_is_refused()
    {
        var folder = Folder();
        var annotations = new CocoDataset(
            [new CocoImage(42, "a.JPG", 10, 10), new CocoImage(7, "b.png", 10, 10), new CocoImage(9, "sub/c.webp", 10, 10)],
            [],
            [new CocoCategory(1, "circle")]);

        Assert.Contains("sub/deeper/d.jpeg", Assert.Throws<ArgumentException>(() => ImageCollection.Resolve(folder, annotations)).Message);
        File.Delete(Path.Combine(folder, "sub", "deeper", "d.jpeg"));
        Assert.Equal([42L, 7, 9], ImageCollection.Resolve(folder, annotations).Select(i => i.ImageId));
    }

    [Fact]
    public void Something_that_is_no_folder_list_or_glob_is_refused_by_name() =>
        Assert.Contains("not a folder, a list file or a glob",
            Assert.Throws<ArgumentException>(() => ImageCollection.Resolve("/no/such/place")).Message);
}
