using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers.Internal;

/// <summary>
/// float32 transcendental functions evaluated by libtorch on a 0-dim tensor, as diffusers evaluates them.
/// </summary>
/// <remarks>
/// libtorch's vectorised log/exp may differ from the C library's correctly rounded logf/expf by one ulp. In
/// DPM-Solver that ulp enters every coefficient through λ = log α - log σ and exp(-h), so computing them the same
/// way keeps the trajectory bit-identical to diffusers instead of 1e-7 apart.
/// </remarks>
internal static class TorchScalar
{
    public static float Log(float x)
    {
        using var t = torch.scalar_tensor(x);
        using var r = t.log();
        return r.item<float>();
    }

    public static float Exp(float x)
    {
        using var t = torch.scalar_tensor(x);
        using var r = t.exp();
        return r.item<float>();
    }
}
