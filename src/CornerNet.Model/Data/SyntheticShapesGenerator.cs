using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace CornerNet.Model.Data;

/// <summary>
/// A deterministic synthetic detection data set in COCO format: circles, squares, triangles and stars of varied size,
/// colour, aspect and rotation, overlapping one another on textured backgrounds. Boxes and areas come from the
/// pixels each shape still owns after occlusion.
/// </summary>
public sealed class SyntheticShapesGenerator
{
    public const string AnnotationsFileName = "annotations.json";
    public const string ImagesFolderName = "images";

    private const float OwnershipCoverage = 0.5f;

    private readonly SyntheticShapesOptions _options;

    public SyntheticShapesGenerator(SyntheticShapesOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>circle, square, triangle, star with ids 1..4.</summary>
    public static IReadOnlyList<CocoCategory> Categories { get; } =
    [
        new(SyntheticShapeOutlines.Circle, "circle"),
        new(SyntheticShapeOutlines.Square, "square"),
        new(SyntheticShapeOutlines.Triangle, "triangle"),
        new(SyntheticShapeOutlines.Star, "star"),
    ];

    /// <summary>Writes images/NNNNNN.png (or .jpg) and annotations.json into <paramref name="outputDirectory"/>; returns the data set.</summary>
    public CocoDataset Generate(string outputDirectory)
    {
        string imagesDirectory = Path.Combine(outputDirectory, ImagesFolderName);
        Directory.CreateDirectory(imagesDirectory);
        // Fastest deflate level: grainy backgrounds barely compress anyway, and it is ~4x faster than the default.
        IImageEncoder encoder = _options.ImageFormat == SyntheticImageFormat.Png
            ? new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8, CompressionLevel = PngCompressionLevel.BestSpeed }
            : new JpegEncoder { Quality = 92 };
        string extension = _options.ImageFormat == SyntheticImageFormat.Png ? "png" : "jpg";

        var images = new List<CocoImage>(_options.ImageCount);
        var annotations = new List<CocoAnnotation>();
        for (int index = 0; index < _options.ImageCount; index++)
        {
            long imageId = index + 1;
            string fileName = $"{imageId:D6}.{extension}";
            using var rendered = Render(index);
            rendered.Image.Save(Path.Combine(imagesDirectory, fileName), encoder);
            images.Add(new CocoImage(imageId, $"{ImagesFolderName}/{fileName}", rendered.Width, rendered.Height));
            foreach (var shape in rendered.Shapes.Where(s => s.IsAnnotated))
            {
                annotations.Add(new CocoAnnotation(annotations.Count + 1, imageId, shape.CategoryId, shape.Box, shape.VisiblePixels, IsCrowd: false));
            }
        }

        var dataset = new CocoDataset(images, annotations, Categories);
        dataset.Save(Path.Combine(outputDirectory, AnnotationsFileName));
        return dataset;
    }

    /// <summary>Renders image <paramref name="index"/> (0-based) in memory; it depends only on the options and the index.</summary>
    public SyntheticShapesImage Render(int index)
    {
        var random = SplitMix64.ForItem(_options.Seed, index);
        int width = random.NextInt(_options.MinImageSize, _options.MaxImageSize);
        int height = random.NextInt(_options.MinImageSize, _options.MaxImageSize);
        var canvas = new float[3 * width * height];
        var background = SyntheticBackgroundPainter.Paint(canvas, width, height, random);

        var owners = new int[width * height];
        Array.Fill(owners, -1);
        int shapeCount = random.NextInt(_options.MinObjectsPerImage, _options.MaxObjectsPerImage);
        var categories = new long[shapeCount];
        var drawnPixels = new int[shapeCount];
        for (int s = 0; s < shapeCount; s++)
        {
            categories[s] = Categories[random.NextInt(0, Categories.Count - 1)].Id;
            drawnPixels[s] = DrawShape(s, categories[s], canvas, owners, width, height, background, random);
        }

        var shapes = DescribeShapes(categories, drawnPixels, owners, width);
        var image = SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(ToPixels(canvas), width, height);
        return new SyntheticShapesImage(image, shapes, owners);
    }

    /// <summary>Draws one shape over the canvas and takes ownership of the pixels it covers at least half; returns their count.</summary>
    private int DrawShape(
        int shapeIndex, long categoryId, float[] canvas, int[] owners, int width, int height, (float R, float G, float B) background, SplitMix64 random)
    {
        // Log-uniform size: as many small objects as large ones, per octave.
        double maxSize = _options.MaxObjectSizeFraction * Math.Min(width, height);
        double size = Math.Exp(random.NextDouble(Math.Log(_options.MinObjectSize), Math.Log(maxSize)));
        var outline = SyntheticShapeOutlines.Create(categoryId, size, random);
        var placed = Place(outline, width, height, random);
        var colour = ContrastingColour(background, random);

        var (coverage, left, top, boxWidth, boxHeight) = PolygonRasterizer.Rasterize(placed, width, height, _options.SamplesPerAxis);
        int owned = 0;
        for (int y = 0; y < boxHeight; y++)
        {
            for (int x = 0; x < boxWidth; x++)
            {
                float c = coverage[(y * boxWidth) + x];
                if (c <= 0)
                {
                    continue;
                }

                int pixel = ((top + y) * width) + left + x;
                int at = 3 * pixel;
                canvas[at] += (colour.R - canvas[at]) * c;
                canvas[at + 1] += (colour.G - canvas[at + 1]) * c;
                canvas[at + 2] += (colour.B - canvas[at + 2]) * c;
                if (c >= OwnershipCoverage)
                {
                    owners[pixel] = shapeIndex;
                    owned++;
                }
            }
        }

        return owned;
    }

    /// <summary>Shrinks the outline if needed and moves it to a random spot fully inside the image.</summary>
    private static (double X, double Y)[] Place((double X, double Y)[] outline, int width, int height, SplitMix64 random)
    {
        double minX = outline.Min(p => p.X), maxX = outline.Max(p => p.X);
        double minY = outline.Min(p => p.Y), maxY = outline.Max(p => p.Y);
        double scale = Math.Min(1.0, Math.Min((width - 2) / (maxX - minX), (height - 2) / (maxY - minY)));
        double offsetX = random.NextDouble(1 - (minX * scale), width - 1 - (maxX * scale));
        double offsetY = random.NextDouble(1 - (minY * scale), height - 1 - (maxY * scale));
        return [.. outline.Select(p => ((p.X * scale) + offsetX, (p.Y * scale) + offsetY))];
    }

    private static (float R, float G, float B) ContrastingColour((float R, float G, float B) background, SplitMix64 random)
    {
        var colour = SyntheticBackgroundPainter.RandomColour(random);
        for (int attempt = 0; attempt < 8 && Distance(colour, background) < 90; attempt++)
        {
            colour = SyntheticBackgroundPainter.RandomColour(random);
        }

        return colour;
    }

    private static double Distance((float R, float G, float B) a, (float R, float G, float B) b) =>
        Math.Sqrt(((a.R - b.R) * (a.R - b.R)) + ((a.G - b.G) * (a.G - b.G)) + ((a.B - b.B) * (a.B - b.B)));

    private List<SyntheticShape> DescribeShapes(long[] categories, int[] drawnPixels, int[] owners, int width)
    {
        int count = categories.Length;
        var visible = new int[count];
        var left = new int[count];
        var top = new int[count];
        var right = new int[count];
        var bottom = new int[count];
        Array.Fill(left, int.MaxValue);
        Array.Fill(top, int.MaxValue);
        Array.Fill(right, -1);
        Array.Fill(bottom, -1);
        for (int pixel = 0; pixel < owners.Length; pixel++)
        {
            int s = owners[pixel];
            if (s < 0)
            {
                continue;
            }

            int x = pixel % width, y = pixel / width;
            visible[s]++;
            left[s] = Math.Min(left[s], x);
            right[s] = Math.Max(right[s], x);
            top[s] = Math.Min(top[s], y);
            bottom[s] = Math.Max(bottom[s], y);
        }

        var shapes = new List<SyntheticShape>(count);
        for (int s = 0; s < count; s++)
        {
            var box = visible[s] == 0 ? default : new CocoBox(left[s], top[s], right[s] - left[s] + 1, bottom[s] - top[s] + 1);
            bool annotated = visible[s] > 0 && visible[s] >= _options.MinVisibleFraction * drawnPixels[s];
            shapes.Add(new SyntheticShape(categories[s], box, visible[s], drawnPixels[s], annotated));
        }

        return shapes;
    }

    private static Rgb24[] ToPixels(float[] canvas)
    {
        var pixels = new Rgb24[canvas.Length / 3];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = new Rgb24(ToByte(canvas[3 * i]), ToByte(canvas[(3 * i) + 1]), ToByte(canvas[(3 * i) + 2]));
        }

        return pixels;
    }

    private static byte ToByte(float value) => (byte)Math.Clamp((int)MathF.Round(value), 0, 255);
}
