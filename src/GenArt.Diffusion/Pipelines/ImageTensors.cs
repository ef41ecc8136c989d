using GenArt.Torch;

namespace GenArt.Diffusion.Pipelines;

/// <summary>Conversions between 8-bit RGB images and the VAE's [-1, 1] NCHW tensors, rounding as the reference
/// pipeline does (image / 255 * 2 - 1 in; clamp(x / 2 + 0.5, 0, 1) * 255 rounded out).</summary>
public static class ImageTensors
{
    /// <summary>[1, 3, H, W] float32 in [-1, 1] on <paramref name="device"/>.</summary>
    public static Tensor ToTensor(RgbImage image, Device device, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var hwc = torch.tensor<byte>(image.Pixels.AsSpan(), [image.Height, image.Width, 3]);
        var x = hwc.to(ScalarType.Float32).div_(255.0).mul_(2.0).sub_(1.0).permute(2, 0, 1).unsqueeze(0).contiguous();
        return x.to(device, dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Float images in [0, 1], NHWC float32 on the CPU: what the reference pipeline's output_type="np" gives.</summary>
    public static Tensor ToUnitNhwc(Tensor decoded)
    {
        using var scope = torch.NewDisposeScope();
        var x = decoded.to(Device.CPU, ScalarType.Float32).div(2.0).add_(0.5).clamp(0, 1).permute(0, 2, 3, 1).contiguous();
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>One RGB8 image per batch row of a decoded [B, 3, H, W] tensor in [-1, 1].</summary>
    public static RgbImage[] ToImages(Tensor decoded)
    {
        using var scope = torch.NewDisposeScope();
        var unit = ToUnitNhwc(decoded);
        var bytes = unit.mul(255.0).round().to(ScalarType.Byte);
        var shape = bytes.shape;
        var images = new RgbImage[shape[0]];
        for (int b = 0; b < shape[0]; b++)
            images[b] = new RgbImage((int)shape[2], (int)shape[1], bytes.select(0, b).data<byte>());
        return images;
    }
}
