using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.TextEncoder;

/// <summary>transformers' CLIPTextEmbeddings: token embedding plus a learned absolute position embedding.</summary>
/// <remarks>transformers keeps a <c>position_ids</c> buffer (0..max-1) that some checkpoints carry; positions are
/// always 0..seq-1 here, so that buffer is not a parameter and loaders drop it.</remarks>
public sealed class ClipTextEmbeddings : Module
{
    private readonly Embedding tokenEmbedding;
    private readonly Embedding positionEmbedding;

    public ClipTextEmbeddings(ClipTextConfig config)
    {
        tokenEmbedding = Register("token_embedding", new Embedding(config.VocabSize, config.HiddenSize));
        positionEmbedding = Register("position_embedding", new Embedding(config.MaxPositionEmbeddings, config.HiddenSize));
    }

    /// <summary>ids [batch, seq] (int64) to [batch, seq, hidden].</summary>
    public Tensor forward(Tensor inputIds)
    {
        long seq = inputIds.size(1);
        using var tokens = tokenEmbedding.forward(inputIds);
        // Rows 0..seq-1 of the table are exactly embedding(arange(seq)).
        using var positions = positionEmbedding.Weight.narrow(0, 0, seq);
        return tokens.add(positions);
    }
}
