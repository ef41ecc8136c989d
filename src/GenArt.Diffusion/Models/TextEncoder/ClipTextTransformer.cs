using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.TextEncoder;

/// <summary>transformers' CLIPTextTransformer: embeddings, the encoder layers, and the final LayerNorm.</summary>
public sealed class ClipTextTransformer : Module
{
    private readonly ModuleList<ClipEncoderLayer> layers;

    public ClipTextTransformer(ClipTextConfig config)
    {
        Embeddings = Register("embeddings", new ClipTextEmbeddings(config));
        var encoder = Register("encoder", new ClipEncoder());
        layers = encoder.Layers;
        for (int i = 0; i < config.NumHiddenLayers; i++) layers.Add(new ClipEncoderLayer(config));
        FinalLayerNorm = Register("final_layer_norm", new LayerNorm(config.HiddenSize, config.LayerNormEps));
    }

    public ClipTextEmbeddings Embeddings { get; }
    public LayerNorm FinalLayerNorm { get; }
    public int LayerCount => layers.Count;

    /// <summary>
    /// Runs the embeddings and the first <paramref name="layerCount"/> layers; returns the last output (before
    /// the final LayerNorm). When <paramref name="collect"/> is given, the embeddings output and every layer's
    /// output are added to it (and owned by it) instead of being disposed.
    /// </summary>
    public Tensor RunLayers(Tensor inputIds, int layerCount, List<Tensor>? collect)
    {
        var h = Embeddings.forward(inputIds);
        for (int i = 0; i < layerCount; i++)
        {
            var next = layers[i].forward(h);
            if (collect is null) h.Dispose();
            else collect.Add(h);
            h = next;
        }
        return h;
    }

    /// <summary>Holds the layers under the checkpoint name <c>encoder.layers</c>.</summary>
    public sealed class ClipEncoder : Module
    {
        public ClipEncoder()
        {
            Layers = Register("layers", new ModuleList<ClipEncoderLayer>());
        }

        public ModuleList<ClipEncoderLayer> Layers { get; }
    }
}
