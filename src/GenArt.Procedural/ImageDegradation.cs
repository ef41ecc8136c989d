using GenArt.Imaging;

namespace GenArt.Procedural;

/// <summary>Blur and noise of the kind a small diffusion model's outputs show, to test the scorer against.</summary>
public static class ImageDegradation
{
    /// <summary>A (2r+1)x(2r+1) box blur, edges clamped, computed as two separable passes.</summary>
    public static RasterImage BoxBlur(RasterImage image, int radius)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        int w = image.Width, h = image.Height, c = image.Channels;
        var src = image.Pixels;
        var tmp = new float[src.Length];
        var dst = new byte[src.Length];
        float scale = 1f / (2 * radius + 1);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                for (int k = 0; k < c; k++)
                {
                    float sum = 0;
                    for (int d = -radius; d <= radius; d++)
                        sum += src[(y * w + Math.Clamp(x + d, 0, w - 1)) * c + k];
                    tmp[(y * w + x) * c + k] = sum * scale;
                }
            }
        }
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                for (int k = 0; k < c; k++)
                {
                    float sum = 0;
                    for (int d = -radius; d <= radius; d++)
                        sum += tmp[(Math.Clamp(y + d, 0, h - 1) * w + x) * c + k];
                    dst[(y * w + x) * c + k] = (byte)Math.Clamp((int)MathF.Round(sum * scale), 0, 255);
                }
            }
        }
        return new RasterImage(w, h, image.Format, dst);
    }

    /// <summary>Independent Gaussian noise of standard deviation <paramref name="sigma"/> (in 0-255 units) on every channel.</summary>
    public static RasterImage AddNoise(RasterImage image, double sigma, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        var rng = new SplitMix64(seed);
        var dst = new byte[image.Pixels.Length];
        for (int i = 0; i < dst.Length; i++)
            dst[i] = (byte)Math.Clamp((int)Math.Round(image.Pixels[i] + sigma * rng.NextGaussian()), 0, 255);
        return new RasterImage(image.Width, image.Height, image.Format, dst);
    }
}
