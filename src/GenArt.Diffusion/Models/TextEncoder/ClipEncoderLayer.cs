using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Models.TextEncoder;

/// <summary>transformers' CLIPMLP: fc1, activation, fc2.</summary>
public sealed class ClipMlp : Module
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Func<Tensor, Tensor> activation;

    public ClipMlp(ClipTextConfig config)
    {
        activation = Activation(config.HiddenAct);
        fc1 = Register("fc1", new Linear(config.HiddenSize, config.IntermediateSize));
        fc2 = Register("fc2", new Linear(config.IntermediateSize, config.HiddenSize));
    }

    public Tensor forward(Tensor x)
    {
        using var h = fc1.forward(x);
        using var a = activation(h);
        return fc2.forward(a);
    }

    // transformers' ACT2FN entries for the names ClipTextConfig accepts; gelu_new is the tanh formula written out.
    private static Func<Tensor, Tensor> Activation(string name) => name switch
    {
        "quick_gelu" => F.quick_gelu,
        "gelu" => x => F.gelu(x),
        "gelu_pytorch_tanh" or "gelu_new" => x => F.gelu(x, "tanh"),
        _ => throw new ArgumentException($"hidden_act '{name}' is not supported", nameof(name)),
    };
}

/// <summary>transformers' CLIPEncoderLayer: pre-LayerNorm attention and MLP, each with a residual.</summary>
public sealed class ClipEncoderLayer : Module
{
    private readonly ClipAttention selfAttn;
    private readonly LayerNorm layerNorm1;
    private readonly ClipMlp mlp;
    private readonly LayerNorm layerNorm2;

    public ClipEncoderLayer(ClipTextConfig config)
    {
        selfAttn = Register("self_attn", new ClipAttention(config));
        layerNorm1 = Register("layer_norm1", new LayerNorm(config.HiddenSize, config.LayerNormEps));
        mlp = Register("mlp", new ClipMlp(config));
        layerNorm2 = Register("layer_norm2", new LayerNorm(config.HiddenSize, config.LayerNormEps));
    }

    public Tensor forward(Tensor x)
    {
        using var afterAttention = Residual(x, layerNorm1, selfAttn.forward);
        return Residual(afterAttention, layerNorm2, mlp.forward);
    }

    private static Tensor Residual(Tensor x, LayerNorm norm, Func<Tensor, Tensor> body)
    {
        using var normed = norm.forward(x);
        using var h = body(normed);
        return x.add(h);
    }
}
