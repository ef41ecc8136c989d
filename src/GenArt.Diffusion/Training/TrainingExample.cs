namespace GenArt.Diffusion.Training;

/// <summary>One training image with its caption.</summary>
/// <param name="Rgb">Interleaved 8-bit RGB, <paramref name="Size"/> × <paramref name="Size"/> pixels.</param>
public sealed record TrainingExample(byte[] Rgb, int Size, string Caption)
{
    /// <summary>The image as [3, Size, Size] floats in [-1, 1], the range the VAE is trained on.</summary>
    public float[] ToChw()
    {
        int n = Size * Size;
        if (Rgb.Length != 3 * n) throw new InvalidOperationException($"expected {3 * n} RGB bytes for {Size}x{Size}, got {Rgb.Length}");
        var chw = new float[3 * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                chw[c * n + i] = Rgb[3 * i + c] / 127.5f - 1f;
        return chw;
    }
}

/// <summary>The training set as an indexable stream: example <c>i</c> is always the same, so a run resumed at a
/// step reads exactly the examples the uninterrupted run would have.</summary>
public delegate TrainingExample TrainingData(long index);
