using GenArt.Torch;

namespace GenArt.Diffusion.Training;

internal static class Batches
{
    /// <summary>Examples <c>step·B</c> … <c>step·B + B - 1</c>: each step reads the next B examples of the stream.</summary>
    public static TrainingExample[] Examples(TrainingData data, long step, int batchSize) =>
        Enumerable.Range(0, batchSize).Select(i => data(step * batchSize + i)).ToArray();

    /// <summary>[B, 3, S, S] in [-1, 1].</summary>
    public static Tensor Images(IReadOnlyList<TrainingExample> examples)
    {
        int size = examples[0].Size;
        var pixels = new float[examples.Count * 3 * size * size];
        for (int i = 0; i < examples.Count; i++)
        {
            if (examples[i].Size != size) throw new InvalidOperationException("every image of a batch must have the same size");
            examples[i].ToChw().CopyTo(pixels, i * 3 * size * size);
        }
        return torch.tensor(pixels, examples.Count, 3, size, size);
    }
}
