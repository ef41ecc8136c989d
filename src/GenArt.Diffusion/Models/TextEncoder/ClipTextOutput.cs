using GenArt.Torch;

namespace GenArt.Diffusion.Models.TextEncoder;

/// <summary>What <see cref="ClipTextModel.Forward"/> returns; owns its tensors.</summary>
/// <param name="LastHiddenState">[batch, seq, hidden]: the last layer's output after the final LayerNorm.</param>
/// <param name="PooledOutput">[batch, hidden]: the LastHiddenState row at each sequence's end token.</param>
/// <param name="HiddenStates">When asked for: num_hidden_layers + 1 tensors [batch, seq, hidden]: index 0 is the
/// embeddings output and index i the output of layer i, all before the final LayerNorm (transformers'
/// <c>hidden_states</c>).</param>
public sealed class ClipTextOutput(Tensor lastHiddenState, Tensor pooledOutput, IReadOnlyList<Tensor>? hiddenStates) : IDisposable
{
    public Tensor LastHiddenState { get; } = lastHiddenState;
    public Tensor PooledOutput { get; } = pooledOutput;
    public IReadOnlyList<Tensor>? HiddenStates { get; } = hiddenStates;

    public void Dispose()
    {
        LastHiddenState.Dispose();
        PooledOutput.Dispose();
        if (HiddenStates is null) return;
        foreach (var t in HiddenStates) t.Dispose();
    }
}
