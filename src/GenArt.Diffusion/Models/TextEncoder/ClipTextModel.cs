using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.TextEncoder;

/// <summary>
/// transformers' <c>CLIPTextModel</c>: the text encoder of Stable Diffusion. Parameter names equal the
/// checkpoint keys (<c>text_model.embeddings.token_embedding.weight</c>,
/// <c>text_model.encoder.layers.N.self_attn.q_proj.weight</c> ...), so a diffusers <c>text_encoder/</c> folder
/// loads by name.
/// </summary>
/// <remarks>
/// Call inside <c>torch.inference_mode()</c> for inference. The attention is always causal and no padding mask
/// is applied, as in Stable Diffusion pipelines.
/// </remarks>
public sealed class ClipTextModel : Module
{
    /// <summary>Checkpoint keys that hold no parameter and are dropped when loading (a non-persistent buffer
    /// that older transformers versions saved).</summary>
    public static IReadOnlyList<string> IgnoredCheckpointKeys { get; } = ["text_model.embeddings.position_ids"];

    /// <summary>Builds the model with placeholder weights; load a checkpoint or call ResetParameters.</summary>
    public ClipTextModel(ClipTextConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        TextModel = Register("text_model", new ClipTextTransformer(config));
    }

    public ClipTextConfig Config { get; }
    public ClipTextTransformer TextModel { get; }

    /// <summary>
    /// Loads weights by name, converted to <paramref name="dtype"/> on <paramref name="device"/>, ignoring
    /// <see cref="IgnoredCheckpointKeys"/>; every other key must match a parameter in name and shape.
    /// </summary>
    public void LoadWeights(ITensorSource source, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Load(new ExcludingSource(source, IgnoredCheckpointKeys), dtype, device);

    /// <summary>
    /// The full forward pass. <paramref name="inputIds"/> is [batch, seq] with seq at most
    /// max_position_embeddings (int64; int32 is converted).
    /// </summary>
    public ClipTextOutput Forward(Tensor inputIds, bool outputHiddenStates = false)
    {
        using var ids = CheckIds(inputIds);
        var hidden = outputHiddenStates ? new List<Tensor>() : null;
        var last = TextModel.RunLayers(ids, Config.NumHiddenLayers, hidden);
        Tensor normed;
        if (hidden is not null)
        {
            hidden.Add(last);
            normed = TextModel.FinalLayerNorm.forward(last);
        }
        else
        {
            using (last) normed = TextModel.FinalLayerNorm.forward(last);
        }
        return new ClipTextOutput(normed, Pool(normed, ids), hidden);
    }

    /// <summary>
    /// The prompt embedding a Stable Diffusion UNet is conditioned on, [batch, seq, hidden].
    /// <paramref name="clipSkip"/> follows diffusers' <c>encode_prompt(clip_skip=...)</c>: 0 is the last layer
    /// (<c>last_hidden_state</c>); k &gt; 0 is the output of the layer k from the end (hidden_states[-(k+1)])
    /// with the final LayerNorm applied. A1111's "Clip skip: 2" is clipSkip 1 here.
    /// </summary>
    public Tensor Encode(Tensor inputIds, int clipSkip = 0)
    {
        if (clipSkip < 0 || clipSkip >= Config.NumHiddenLayers)
            throw new ArgumentOutOfRangeException(nameof(clipSkip), clipSkip, $"clip skip must be in [0, {Config.NumHiddenLayers - 1}] for a {Config.NumHiddenLayers}-layer text encoder");
        using var ids = CheckIds(inputIds);
        // Layers past the requested one cannot affect it, so they are not run.
        using var h = TextModel.RunLayers(ids, Config.NumHiddenLayers - clipSkip, null);
        return TextModel.FinalLayerNorm.forward(h);
    }

    // The end token's row: argmax(ids) for the legacy eos_token_id 2 (the end token has the highest id), else
    // the first position holding eos_token_id, as transformers' CLIPTextTransformer does.
    private Tensor Pool(Tensor lastHiddenState, Tensor ids)
    {
        Tensor positions;
        if (Config.EosTokenId == 2)
        {
            positions = ids.argmax(-1);
        }
        else
        {
            using var isEos = ids.eq(Config.EosTokenId);
            using var asInt = isEos.to(ScalarType.Int32);
            positions = asInt.argmax(-1);
        }
        using (positions)
        {
            long batch = lastHiddenState.size(0), width = lastHiddenState.size(2);
            using var index = positions.view(batch, 1, 1);
            using var expanded = index.expand(batch, 1, width);
            using var rows = lastHiddenState.gather(1, expanded);
            return rows.squeeze(1);
        }
    }

    private Tensor CheckIds(Tensor inputIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.ndim != 2)
            throw new ArgumentException($"input ids must be [batch, seq], got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        long seq = inputIds.size(1);
        if (seq < 1 || seq > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"sequence length {seq} is outside 1..{Config.MaxPositionEmbeddings} (max_position_embeddings)", nameof(inputIds));
        if (inputIds.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"input ids must be int64 or int32, got {inputIds.dtype}", nameof(inputIds));
        var device = TextModel.FinalLayerNorm.NamedParameters().First().Value.device;
        return inputIds.to(device, ScalarType.Int64, copy: true);
    }

    /// <summary>A source without some keys, so strict loading accepts checkpoints that carry them.</summary>
    private sealed class ExcludingSource(ITensorSource inner, IReadOnlyList<string> excluded) : ITensorSource
    {
        public string Description => inner.Description;
        public IEnumerable<string> Names => inner.Names.Where(n => !excluded.Contains(n));

        public bool TryGetShape(string name, out long[] shape)
        {
            if (!excluded.Contains(name)) return inner.TryGetShape(name, out shape);
            shape = [];
            return false;
        }

        public Tensor Load(string name, ScalarType dtype, Device device) => inner.Load(name, dtype, device);
    }
}
