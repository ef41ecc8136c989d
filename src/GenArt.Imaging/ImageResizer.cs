namespace GenArt.Imaging;

/// <summary>
/// Resampling for training images: area averaging when shrinking (each output pixel is the coverage-weighted
/// mean of the source pixels under it, so detail is averaged rather than aliased) and bilinear interpolation
/// between pixel centres when enlarging. Separable: rows first, then columns, in float.
/// </summary>
public static class ImageResizer
{
    public static RasterImage Resize(RasterImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), width, "width must be positive.");
        if (height <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), height, "height must be positive.");
        if (width == image.Width && height == image.Height)
            return image;

        int ch = image.Channels;
        var horizontal = Weights(image.Width, width);
        var vertical = Weights(image.Height, height);

        // Pass 1: resample each row to the new width.
        var temp = new float[image.Height * width * ch];
        for (int y = 0; y < image.Height; y++)
        {
            int srcRow = y * image.Width * ch;
            int dstRow = y * width * ch;
            for (int x = 0; x < width; x++)
            {
                var (start, weights) = horizontal[x];
                for (int c = 0; c < ch; c++)
                {
                    float sum = 0;
                    for (int k = 0; k < weights.Length; k++)
                        sum += weights[k] * image.Pixels[srcRow + (start + k) * ch + c];
                    temp[dstRow + x * ch + c] = sum;
                }
            }
        }

        // Pass 2: resample each column to the new height.
        var output = new byte[width * height * ch];
        int rowLength = width * ch;
        for (int y = 0; y < height; y++)
        {
            var (start, weights) = vertical[y];
            for (int i = 0; i < rowLength; i++)
            {
                float sum = 0;
                for (int k = 0; k < weights.Length; k++)
                    sum += weights[k] * temp[(start + k) * rowLength + i];
                output[y * rowLength + i] = (byte)Math.Clamp((int)MathF.Round(sum), 0, 255);
            }
        }
        return new RasterImage(width, height, image.Format, output);
    }

    /// <summary>
    /// Scales so that the shorter side equals <paramref name="size"/>, then keeps the centred
    /// <paramref name="size"/>×<paramref name="size"/> square (the usual preparation of fine-tuning images).
    /// </summary>
    public static RasterImage ResizeAndCenterCrop(RasterImage image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "size must be positive.");
        double scale = (double)size / Math.Min(image.Width, image.Height);
        int w = Math.Max(size, (int)Math.Round(image.Width * scale));
        int h = Math.Max(size, (int)Math.Round(image.Height * scale));
        var resized = Resize(image, w, h);
        return ImageTransforms.Crop(resized, (w - size) / 2, (h - size) / 2, size, size);
    }

    // For each output index, the first source index and the normalised weights of the source pixels it uses.
    private static (int Start, float[] Weights)[] Weights(int sourceLength, int targetLength)
    {
        var result = new (int, float[])[targetLength];
        double scale = (double)sourceLength / targetLength;
        for (int i = 0; i < targetLength; i++)
        {
            if (scale >= 1)
            {
                // Area averaging: output pixel i covers source interval [i*scale, (i+1)*scale).
                double left = i * scale, right = (i + 1) * scale;
                int start = (int)Math.Floor(left);
                int end = Math.Min(sourceLength, (int)Math.Ceiling(right - 1e-9));
                var weights = new float[end - start];
                for (int s = start; s < end; s++)
                    weights[s - start] = (float)(Math.Min(right, s + 1) - Math.Max(left, s));
                result[i] = (start, Normalise(weights));
            }
            else
            {
                // Bilinear: the output pixel centre mapped into source coordinates, clamped at the edges.
                double centre = (i + 0.5) * scale - 0.5;
                int s0 = (int)Math.Floor(centre);
                double frac = centre - s0;
                int a = Math.Clamp(s0, 0, sourceLength - 1);
                int b = Math.Clamp(s0 + 1, 0, sourceLength - 1);
                if (a == b)
                    result[i] = (a, [1f]);
                else
                    result[i] = (a, [(float)(1 - frac), (float)frac]);
            }
        }
        return result;
    }

    private static float[] Normalise(float[] weights)
    {
        float total = weights.Sum();
        for (int k = 0; k < weights.Length; k++)
            weights[k] /= total;
        return weights;
    }
}
