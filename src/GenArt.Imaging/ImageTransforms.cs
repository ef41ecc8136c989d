namespace GenArt.Imaging;

/// <summary>Lossless geometric transforms: EXIF orientation and cropping.</summary>
public static class ImageTransforms
{
    /// <summary>
    /// The image as it should be displayed: the stored pixels rotated/mirrored per the EXIF orientation
    /// (orientations 5-8 swap width and height).
    /// </summary>
    public static RasterImage ApplyOrientation(RasterImage image, ExifOrientation orientation)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (orientation == ExifOrientation.Normal)
            return image;
        if (!Enum.IsDefined(orientation))
            throw new ArgumentOutOfRangeException(nameof(orientation), orientation, "EXIF orientation must be 1 to 8.");

        int w = image.Width, h = image.Height, ch = image.Channels;
        bool swap = orientation >= ExifOrientation.Transpose;
        int outW = swap ? h : w, outH = swap ? w : h;
        var output = new byte[image.Pixels.Length];
        var src = image.Pixels;
        for (int dy = 0; dy < outH; dy++)
        {
            for (int dx = 0; dx < outW; dx++)
            {
                // Stored pixel shown at (dx, dy), from the row/column placement of each orientation.
                (int sx, int sy) = orientation switch
                {
                    ExifOrientation.MirrorHorizontal => (w - 1 - dx, dy),
                    ExifOrientation.Rotate180 => (w - 1 - dx, h - 1 - dy),
                    ExifOrientation.MirrorVertical => (dx, h - 1 - dy),
                    ExifOrientation.Transpose => (dy, dx),
                    ExifOrientation.Rotate90Clockwise => (dy, h - 1 - dx),
                    ExifOrientation.Transverse => (w - 1 - dy, h - 1 - dx),
                    _ => (w - 1 - dy, dx),
                };
                Array.Copy(src, (sy * w + sx) * ch, output, (dy * outW + dx) * ch, ch);
            }
        }
        return new RasterImage(outW, outH, image.Format, output);
    }

    /// <summary>The <paramref name="width"/>×<paramref name="height"/> region starting at (x, y).</summary>
    public static RasterImage Crop(RasterImage image, int x, int y, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0 || height <= 0 || x < 0 || y < 0 || x + width > image.Width || y + height > image.Height)
        {
            throw new ArgumentOutOfRangeException(nameof(width),
                $"crop {width}x{height} at ({x},{y}) does not fit inside the {image.Width}x{image.Height} image.");
        }
        int ch = image.Channels;
        var output = new byte[width * height * ch];
        for (int row = 0; row < height; row++)
            Array.Copy(image.Pixels, ((y + row) * image.Width + x) * ch, output, row * width * ch, width * ch);
        return new RasterImage(width, height, image.Format, output);
    }
}
