using System.CommandLine;
using CornerNet.Model.Data;

namespace CornerNet.Training.Commands;

/// <summary><c>synth --out DIR --images N --seed S</c>: a deterministic COCO-format synthetic shapes data set.</summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write annotations.json and images/ into.", Required = true };
        var images = new Option<int>("--images") { Description = "Number of images.", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; the same seed always gives the same data.", DefaultValueFactory = _ => 1 };
        var minSize = new Option<int>("--min-size") { Description = "Smallest image side in pixels.", DefaultValueFactory = _ => 256 };
        var maxSize = new Option<int>("--max-size") { Description = "Largest image side in pixels.", DefaultValueFactory = _ => 256 };
        var command = new Command("synth", "Generate a synthetic shapes data set (circle, square, triangle, star) in COCO format.")
        {
            output, images, seed, minSize, maxSize,
        };
        command.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(images), parse.GetValue(seed), parse.GetValue(minSize), parse.GetValue(maxSize)));
        return command;
    }

    public static int Run(string outputDirectory, int imageCount, ulong seed, int minSize, int maxSize)
    {
        SyntheticShapesGenerator generator;
        try
        {
            generator = new SyntheticShapesGenerator(new SyntheticShapesOptions
            {
                ImageCount = imageCount,
                Seed = seed,
                MinImageSize = minSize,
                MaxImageSize = maxSize,
            });
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"synth: {e.Message}");
            return 2;
        }

        var dataset = generator.Generate(outputDirectory);
        Console.WriteLine($"synth: wrote {dataset.Images.Count} images and {dataset.Annotations.Count} boxes to {Path.GetFullPath(outputDirectory)}");
        return 0;
    }
}
