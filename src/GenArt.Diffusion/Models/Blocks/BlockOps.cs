using GenArt.Torch;

namespace GenArt.Diffusion.Models.Blocks;

internal static class BlockOps
{
    /// <summary>SiLU that reuses <paramref name="x"/>'s memory at inference. With autograd on, it allocates,
    /// since silu's backward needs its input, which the in-place form would overwrite.</summary>
    public static Tensor SiluOwned(Tensor x) => torch.is_grad_enabled() ? x.silu() : x.silu_();

    /// <summary>x + y into <paramref name="x"/> when autograd is off (x must be a temporary the caller owns).</summary>
    public static Tensor AddOwned(Tensor x, Tensor y) => torch.is_grad_enabled() ? x.add(y) : x.add_(y);

    public static Tensor Dropout(Tensor x, double p, bool training) =>
        training && p > 0 ? torch.nn.functional.dropout(x, p, true) : x;

    /// <summary>Only SiLU (alias swish) is implemented; the Stable Diffusion family uses nothing else.</summary>
    public static void CheckActivation(string field, string? name)
    {
        if (name is not ("silu" or "swish"))
            throw new ModelConfigException(field, $"activation '{name}' is not supported (only silu/swish)");
    }
}
