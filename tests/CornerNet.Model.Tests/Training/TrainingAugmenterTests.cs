using CornerNet.Model.Architecture;
using CornerNet.Model.Training;

namespace CornerNet.Model.Tests.Training;

public class TrainingAugmenterTests
{
    private const int ImageWidth = 200, ImageHeight = 160;

    // White rectangle covering pixels x 50..120, y 40..100 (inclusive), on black.
    private static readonly TrainingBox Rectangle = new(50, 40, 120, 100, 0);

    [Fact]
    public void Boxes_stay_on_the_object_through_crop_scale_and_flip()
    {
        var image = BlackImageWithWhiteRectangle();
        var augmenter = new TrainingAugmenter(new AugmentationOptions { InputHeight = 127, InputWidth = 127, ColorJitter = false, Lighting = false });
        var sawFlip = false;
        var sawUnflipped = false;
        var scales = new HashSet<double>();

        for (var seed = 0; seed < 40; seed++)
        {
            var sample = augmenter.Augment(image, ImageWidth, ImageHeight, [Rectangle], seed);
            sawFlip |= sample.Flipped;
            sawUnflipped |= !sample.Flipped;
            scales.Add(sample.Scale);
            var bright = BrightPixels(sample);
            if (sample.Boxes.Count == 0)
            {
                // Dropped only when (nearly) nothing of the rectangle is left in the crop.
                Assert.True(bright.Count <= 2 * 127, $"seed {seed}: box dropped but {bright.Count} bright pixels remain");
                continue;
            }

            var box = Assert.Single(sample.Boxes);
            Assert.True(box.X1 >= 0 && box.Y1 >= 0 && box.X2 <= 126 && box.Y2 <= 126, $"seed {seed}: {box} not clipped");
            const float slack = 2; // bilinear blur plus the pixel-index convention of the corners
            foreach (var (x, y) in bright)
            {
                // Fail explicitly so the message is only formatted for a failing pixel.
                if (x < box.X1 - slack || x > box.X2 + slack || y < box.Y1 - slack || y > box.Y2 + slack)
                {
                    Assert.Fail($"seed {seed}: bright pixel ({x}, {y}) outside {box}");
                }
            }

            var brightSet = bright.ToHashSet();
            for (var y = (int)Math.Ceiling(box.Y1 + slack); y <= box.Y2 - slack; y++)
            for (var x = (int)Math.Ceiling(box.X1 + slack); x <= box.X2 - slack; x++)
            {
                if (!brightSet.Contains((x, y))) Assert.Fail($"seed {seed}: dark pixel ({x}, {y}) inside {box}");
            }
        }

        Assert.True(sawFlip && sawUnflipped);
        Assert.True(scales.Count >= 4);
        Assert.All(scales, s => Assert.Contains(s, AugmentationOptions.AuthorsScales()));
    }

    [Fact]
    public void The_authors_scales_stop_before_one_point_four()
    {
        var scales = AugmentationOptions.AuthorsScales();
        Assert.Equal(8, scales.Length);
        Assert.Equal(0.6, scales[0], 12);
        Assert.Equal(1.3, scales[^1], 12);
        // numpy's fill rule puts the "1.0" entry one ulp below 1, so its crop is 510, not 511, pixels.
        Assert.Equal(1 - Math.Pow(2, -53), scales[4]);
        Assert.Equal(510, (int)(511 * scales[4]));
    }

    [Fact]
    public void Same_seed_same_sample_and_different_seeds_differ()
    {
        var image = BlackImageWithWhiteRectangle();
        var augmenter = new TrainingAugmenter(new AugmentationOptions { InputHeight = 127, InputWidth = 127 });

        var first = augmenter.Augment(image, ImageWidth, ImageHeight, [Rectangle], 123);
        var again = augmenter.Augment(image, ImageWidth, ImageHeight, [Rectangle], 123);
        var other = augmenter.Augment(image, ImageWidth, ImageHeight, [Rectangle], 124);

        Assert.Equal(first.Pixels, again.Pixels);
        Assert.Equal(first.Boxes, again.Boxes);
        Assert.NotEqual(first.Pixels, other.Pixels);
    }

    [Fact]
    public void Is_thread_safe_with_one_generator_per_call()
    {
        var image = BlackImageWithWhiteRectangle();
        var augmenter = new TrainingAugmenter(new AugmentationOptions { InputHeight = 63, InputWidth = 63 });
        var sequential = Enumerable.Range(0, 16).Select(seed => augmenter.Augment(image, ImageWidth, ImageHeight, [Rectangle], seed)).ToArray();
        var parallel = new AugmentedSample[16];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, seed => parallel[seed] = augmenter.Augment(image, ImageWidth, ImageHeight, [Rectangle], seed));

        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(sequential[i].Pixels, parallel[i].Pixels);
            Assert.Equal(sequential[i].Boxes, parallel[i].Boxes);
        }
    }

    [Fact]
    public void Without_random_steps_an_input_sized_image_is_only_normalised()
    {
        // Even size: the authors' crop_image keeps [ctx - w/2, ctx + w/2), which is the whole image only then.
        const int size = 8;
        var image = new byte[size * size * 3];
        new Random(1).NextBytes(image);
        var options = new AugmentationOptions
        {
            InputHeight = size, InputWidth = size, RandomCrop = false, HorizontalFlip = false, ColorJitter = false, Lighting = false,
        };

        var sample = new TrainingAugmenter(options).Augment(image, size, size, [new TrainingBox(1, 2, 7, 8, 0)], 0); // y2 = 8 is clipped to size - 1

        for (var c = 0; c < 3; c++)
        for (var i = 0; i < size * size; i++)
        {
            var expected = (image[i * 3 + c] / 255f - ArchitectureSpec.CocoMeanBgr[c]) / ArchitectureSpec.CocoStdBgr[c];
            Assert.Equal(expected, sample.Pixels[c * size * size + i], 5);
        }

        Assert.Equal([new TrainingBox(1, 2, 7, 7, 0)], sample.Boxes);
    }

    [Fact]
    public void Odd_sizes_lose_their_last_column_and_row_as_in_the_authors_crop_image()
    {
        const int size = 9;
        var image = Enumerable.Repeat((byte)255, size * size * 3).ToArray();
        var options = new AugmentationOptions
        {
            InputHeight = size, InputWidth = size, RandomCrop = false, HorizontalFlip = false, ColorJitter = false, Lighting = false,
            Mean = [0, 0, 0], Std = [1, 1, 1],
        };

        var pixels = new TrainingAugmenter(options).Augment(image, size, size, [], 0).Pixels;

        Assert.Equal(1f, pixels[7 * size + 7]);
        Assert.Equal(0f, pixels[7 * size + 8]);
        Assert.Equal(0f, pixels[8 * size + 7]);
    }

    [Fact]
    public void Rgb_networks_get_rgb_planes()
    {
        var image = new byte[4 * 4 * 3];
        for (var i = 0; i < 16; i++) (image[i * 3], image[i * 3 + 1], image[i * 3 + 2]) = (10, 100, 200);
        var options = new AugmentationOptions
        {
            InputHeight = 4, InputWidth = 4, RandomCrop = false, HorizontalFlip = false, ColorJitter = false, Lighting = false,
            Mean = [0, 0, 0], Std = [1, 1, 1], OutputRgb = true,
        };

        var pixels = new TrainingAugmenter(options).Augment(image, 4, 4, [], 0).Pixels;

        Assert.Equal(200 / 255f, pixels[0], 6);
        Assert.Equal(100 / 255f, pixels[16], 6);
        Assert.Equal(10 / 255f, pixels[32], 6);
    }

    [Fact]
    public void Non_square_images_are_padded_to_a_centred_square_without_random_crop()
    {
        // 8 wide, 4 high: the authors' crop_image makes an 8 x 8 canvas with the image in rows 2..5.
        var image = Enumerable.Repeat((byte)255, 8 * 4 * 3).ToArray();
        var options = new AugmentationOptions
        {
            InputHeight = 8, InputWidth = 8, RandomCrop = false, HorizontalFlip = false, ColorJitter = false, Lighting = false,
            Mean = [0, 0, 0], Std = [1, 1, 1],
        };

        var sample = new TrainingAugmenter(options).Augment(image, 8, 4, [new TrainingBox(1, 0, 6, 3, 0)], 0);

        for (var y = 0; y < 8; y++) Assert.Equal(y is >= 2 and <= 5 ? 1f : 0f, sample.Pixels[y * 8 + 3]);
        Assert.Equal([new TrainingBox(1, 2, 6, 5, 0)], sample.Boxes);
    }

    [Fact]
    public void Colour_jitter_and_lighting_keep_a_flat_image_flat_and_change_it()
    {
        var image = Enumerable.Repeat((byte)128, 16 * 16 * 3).ToArray();
        var options = new AugmentationOptions { InputHeight = 16, InputWidth = 16, RandomCrop = false, HorizontalFlip = false, Mean = [0, 0, 0], Std = [1, 1, 1] };
        var augmenter = new TrainingAugmenter(options);

        var changed = 0;
        for (var seed = 0; seed < 10; seed++)
        {
            var pixels = augmenter.Augment(image, 16, 16, [], seed).Pixels;
            for (var c = 0; c < 3; c++)
            {
                var plane = pixels.AsSpan(c * 256, 256).ToArray();
                Assert.All(plane, v => Assert.Equal(plane[0], v, 5));
                if (Math.Abs(plane[0] - 128 / 255f) > 1e-3) changed++;
            }
        }

        Assert.True(changed > 20);
    }

    [Theory]
    [InlineData(128, 511, 128)]
    [InlineData(128, 257, 128)]
    [InlineData(128, 256, 64)]
    [InlineData(128, 200, 64)]
    [InlineData(128, 100, 32)]
    [InlineData(128, 1, 0)]
    public void Border_is_halved_until_a_centre_fits(int border, int size, int expected)
    {
        Assert.Equal(expected, TrainingAugmenter.GetBorder(border, size));
    }

    internal static byte[] BlackImageWithWhiteRectangle()
    {
        var image = new byte[ImageWidth * ImageHeight * 3];
        for (var y = (int)Rectangle.Y1; y <= Rectangle.Y2; y++)
            image.AsSpan((y * ImageWidth + (int)Rectangle.X1) * 3, ((int)Rectangle.X2 - (int)Rectangle.X1 + 1) * 3).Fill(255);
        return image;
    }

    /// <summary>Pixels brighter than mid-gray in every channel, undoing the normalisation.</summary>
    private static List<(int X, int Y)> BrightPixels(AugmentedSample sample)
    {
        var plane = sample.Height * sample.Width;
        var bright = new List<(int, int)>();
        for (var y = 0; y < sample.Height; y++)
        for (var x = 0; x < sample.Width; x++)
        {
            var i = y * sample.Width + x;
            var isBright = true;
            for (var c = 0; c < 3; c++)
            {
                isBright &= sample.Pixels[c * plane + i] * ArchitectureSpec.CocoStdBgr[c] + ArchitectureSpec.CocoMeanBgr[c] > 0.5f;
            }

            if (isBright) bright.Add((x, y));
        }

        return bright;
    }
}
