using GenArt.Diffusion.Pipelines;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Pipelines;

public class ImageTensorsTests
{
    [Test]
    public void RoundTripsEveryByteValue()
    {
        var pixels = new byte[16 * 16 * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 % 256);
        var image = RgbImage.Create(16, 16, pixels);
        using var t = ImageTensors.ToTensor(image, Device.CPU, ScalarType.Float32);
        Assert.That(t.shape, Is.EqualTo(new long[] { 1, 3, 16, 16 }));
        Assert.That(t.min().item<float>(), Is.GreaterThanOrEqualTo(-1f));
        Assert.That(t.max().item<float>(), Is.LessThanOrEqualTo(1f));
        // pixel (0, 1) green channel is byte index 4
        Assert.That(t.select(1, 1).select(2, 1).select(1, 0).item<float>(), Is.EqualTo(pixels[4] / 255f * 2 - 1).Within(1e-6));
        var back = ImageTensors.ToImages(t);
        Assert.That(back, Has.Length.EqualTo(1));
        Assert.That(back[0].Pixels, Is.EqualTo(pixels));
    }

    [Test]
    public void ClampsOutOfRangeDecoderOutput()
    {
        using var t = torch.tensor(new[] { -3f, -1f, 0f, 1f, 5f, 0.5f }, 1, 3, 1, 2);
        var img = ImageTensors.ToImages(t)[0];
        // NCHW [1,3,1,2] -> pixel 0 = (-3, 0, 5), pixel 1 = (-1, 1, 0.5)
        Assert.That(img.Pixels, Is.EqualTo(new byte[] { 0, 128, 255, 0, 255, 191 }));
    }

    [Test]
    public void PreviewsLatentsAtLatentResolution()
    {
        using var g = new Generator(1);
        using var latents = torch.randn([2, 4, 8, 6], g);
        var previews = LatentPreview.ToRgb(latents);
        Assert.That(previews, Has.Length.EqualTo(2));
        Assert.That((previews[0].Width, previews[0].Height), Is.EqualTo((6, 8)));
        Assert.That(previews[0].Pixels, Is.Not.EqualTo(previews[1].Pixels));
        Assert.Throws<ArgumentException>(() => LatentPreview.ToRgb(torch.zeros([1, 3, 8, 8])));
    }
}
