using static TorchSharp.torch;

namespace CornerNet.Model.Inference.Saccade;

/// <summary>
/// The network inputs of the saccade test procedure (the authors' prepare_images and crop_image_gpu), for the views
/// and the zoom crops alike: per location a square region of <c>int(InputSize / scale)</c> pixels around its centre
/// (truncated to whole pixels, cut at the image's edges, never padded), resized by bilinear interpolation
/// (align_corners false, in double precision as their float64 image) into a zero canvas of the input size, centred,
/// then normalised in float32. Returns where each crop's top-left corner lies in the image (float32, as theirs).
/// </summary>
public static class SaccadeCrops
{
    /// <summary>The image as the authors hold it while cropping: [3, H, W] float64 in 0..1, channels in the
    /// network's order. Call inside a dispose scope.</summary>
    public static Tensor ImageTensor(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return tensor(image.Pixels, ScalarType.Byte).view(image.Height, image.Width, 3).permute(2, 0, 1).to(ScalarType.Float64).div_(255.0);
    }

    /// <summary>The normalised crops [n, 3, size, size] (float32) and each crop's offset (y, x). Call inside a dispose
    /// scope.</summary>
    public static (Tensor Crops, (float Y, float X)[] Offsets) Prepare(
        Tensor image, IReadOnlyList<ZoomLocation> locations, int inputSize, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(locations);
        int imageHeight = (int)image.shape[1], imageWidth = (int)image.shape[2];
        var crops = zeros([locations.Count, 3, inputSize, inputSize], ScalarType.Float32);
        var offsets = new (float Y, float X)[locations.Count];
        using (no_grad())
        {
            for (int i = 0; i < locations.Count; i++)
            {
                var location = locations[i];
                int side = (int)(inputSize / location.Scale);
                offsets[i] = CropInto(image, imageHeight, imageWidth, (int)location.Y, (int)location.X, side, crops[i]);
            }

            crops.sub_(tensor(mean.ToArray()).view(1, 3, 1, 1)).div_(tensor(std.ToArray()).view(1, 3, 1, 1));
        }

        return (crops, offsets);
    }

    /// <summary>One crop (crop_image_gpu): the region [cy - side/2, cy + side/2) x [cx - side/2, cx + side/2) cut at
    /// the image's edges, scaled by size / side around the output's centre.</summary>
    private static (float Y, float X) CropInto(Tensor image, int imageHeight, int imageWidth, int centerY, int centerX, int side, Tensor output)
    {
        int outputSize = (int)output.shape[1];
        double scale = (double)outputSize / side;
        int half = side / 2;
        int x0 = Math.Max(0, centerX - half), x1 = Math.Min(centerX + half, imageWidth);
        int y0 = Math.Max(0, centerY - half), y1 = Math.Min(centerY + half, imageHeight);
        int left = centerX - x0, right = x1 - centerX, top = centerY - y0, bottom = y1 - centerY;
        int middle = outputSize / 2;
        int outY0 = middle - (int)(top * scale), outY1 = middle + (int)(bottom * scale);
        int outX0 = middle - (int)(left * scale), outX1 = middle + (int)(right * scale);
        int newHeight = outY1 - outY0, newWidth = outX1 - outX0;
        if (newHeight > 0 && newWidth > 0 && y1 > y0 && x1 > x0)
        {
            using var scope = NewDisposeScope();
            var region = image[.., y0..y1, x0..x1].unsqueeze(0);
            var resized = nn.functional.interpolate(region, size: [newHeight, newWidth], mode: InterpolationMode.Bilinear, align_corners: false);
            output[.., outY0..outY1, outX0..outX1].copy_(resized[0]);
        }

        return (centerY - half, centerX - half);
    }
}
