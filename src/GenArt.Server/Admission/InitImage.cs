using GenArt.Imaging;

namespace GenArt.Server.Admission;

/// <summary>Checks an uploaded init image here, so a bad upload is the caller's INVALID_ARGUMENT, not a failed job.</summary>
internal static class InitImage
{
    /// <summary>The image as PNG of exactly the requested size (JPEG uploads are re-encoded).</summary>
    public static byte[] CheckedPng(ReadOnlySpan<byte> data, int width, int height)
    {
        RasterImage raster;
        try
        {
            raster = ImageDecoder.Decode(data, "init_image");
        }
        catch (ImageDecodeException e)
        {
            throw new Rpc.RpcException(Rpc.StatusCode.InvalidArgument, "init_image: " + e.Message);
        }
        RequestValidator.Check(raster.Width == width && raster.Height == height, "init_image",
            $"is {raster.Width}x{raster.Height} but the request is {width}x{height}");
        return PngEncoder.Encode(new RasterImage(raster.Width, raster.Height, PixelFormat.Rgb8, raster.Pixels));
    }
}
