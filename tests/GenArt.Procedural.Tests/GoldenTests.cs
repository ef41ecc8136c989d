using System.Security.Cryptography;
using System.Text;

namespace GenArt.Procedural.Tests;

/// <summary>
/// The data set is addressed by seed, so its content must not drift: a change to the generator, or a platform
/// whose sin/cos round differently, shows up here before a model is trained on different data than recorded.
/// </summary>
public class GoldenTests
{
    [Test]
    public void FirstSamplesOfBothSplitsAreUnchanged()
    {
        using var sha = SHA256.Create();
        foreach (var seed in Enumerable.Range(0, 100).Select(i => Dataset.TrainingSeed(i)).Concat(Enumerable.Range(0, 20).Select(i => Dataset.HeldOutSeed(i))))
        {
            var sample = Dataset.Sample(seed);
            sha.TransformBlock(sample.Image.Pixels, 0, sample.Image.Pixels.Length, null, 0);
            var caption = Encoding.UTF8.GetBytes(sample.Caption + "\n");
            sha.TransformBlock(caption, 0, caption.Length, null, 0);
        }
        sha.TransformFinalBlock([], 0, 0);
        Assert.That(Convert.ToHexString(sha.Hash!), Is.EqualTo(Golden));
    }

    [Test]
    public void CaptionsOfKnownSeeds()
    {
        Assert.That(Dataset.Sample(Dataset.HeldOutSeed(0)).Caption, Is.EqualTo("a black stripe pattern on a two-tone pink background"));
        Assert.That(Dataset.Sample(Dataset.HeldOutSeed(2)).Caption, Is.EqualTo("four brown crosses in a column, two-tone blue background, gradient"));
    }

    private const string Golden = "F3376718DDDC7DDEDC1869D8410169229FBDDB8C6A8D7F03FC1F3FDB497ED125";
}
